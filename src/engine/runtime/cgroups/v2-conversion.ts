/**
 * OCI linux.resources (cgroup v1 semantics) → cgroup v2 values, as crun converts them (crun(1),
 * "CGROUP v2"; crun 1.8's integer formulas). berth's own writes on v2 (live update) use these, so
 * a container's limits mean the same whether crun or berth wrote them.
 */

/** cpu.shares [2-262144] → cpu.weight [1-10000], linearly. */
export function sharesToWeight(shares: number): number {
  if (shares <= 2) return 1;
  return Math.min(10000, 1 + Math.floor(((shares - 2) * 9999) / 262142));
}

/** blkio.weight [10-1000] → io.weight [1-10000], for hosts without io.bfq.weight. */
export function blkioWeightToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/** A value for a .max file: negative means unlimited. */
export const maxValue = (v: number): string => (v < 0 ? 'max' : String(v));

/**
 * memory.swap.max from OCI's memory+swap total: swap alone is total - memory. -1 stays unlimited,
 * 0 means no swap. Errors as crun's.
 */
export function swapMax(limit: number | undefined, swap: number): string {
  if (swap > 0) {
    if (limit === undefined) throw new Error('cannot set swap limit without the memory limit');
    if (limit >= 0 && swap < limit) throw new Error('cannot set memory+swap limit less than the memory limit');
    if (limit < 0) return 'max';
    return String(swap - limit);
  }
  return maxValue(swap);
}

/**
 * cpu.max ("QUOTA PERIOD"): quota and period are written together, period defaulting to 100ms.
 * A quota left out keeps the one in force (`current`), so changing only the period does not lift
 * a limit; undefined when neither is set.
 */
export function cpuMax(quota: number | undefined, period: number | undefined, current?: string): string | undefined {
  const q = quota || undefined;
  const p = period || undefined;
  if (q === undefined && p === undefined) return undefined;
  const [curQuota, curPeriod] = (current ?? '').trim().split(/\s+/);
  const newPeriod = p ?? (Number(curPeriod) || 100000);
  const newQuota = q === undefined ? curQuota || 'max' : maxValue(q);
  return `${newQuota} ${newPeriod}`;
}
