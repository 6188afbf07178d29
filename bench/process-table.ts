import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. RSS is VmRSS in KiB (0 for kernel threads). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
  rssKiB: number;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): string => status.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1] ?? '';
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '');
    return {
      pid,
      ppid: Number(field('PPid')),
      comm: field('Name'),
      argv,
      rssKiB: Number.parseInt(field('VmRSS'), 10) || 0,
    };
  } catch {
    return undefined; // exited while we looked
  }
}

/** A snapshot of every process on the host. */
export function listProcesses(): ProcessInfo[] {
  const all: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProcess(Number(name));
    if (p) all.push(p);
  }
  return all;
}

/** The processes whose parent chain reaches one of the roots (roots included). */
export function descendantsOf(roots: readonly number[], table: readonly ProcessInfo[]): ProcessInfo[] {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const inTree = (p: ProcessInfo): boolean => {
    for (let cur: ProcessInfo | undefined = p, hops = 0; cur && hops < 64; cur = byPid.get(cur.ppid), hops++) {
      if (roots.includes(cur.pid)) return true;
      if (cur.pid <= 1) return false;
    }
    return false;
  };
  return table.filter(inTree);
}

export function totalRssMiB(procs: readonly ProcessInfo[]): number {
  return procs.reduce((sum, p) => sum + p.rssKiB, 0) / 1024;
}

/** "conmon×20, node×1" (or with their RSS: "conmon×20 40.1 MiB"): what a group of processes is made of. */
export function describeProcesses(procs: readonly ProcessInfo[], withRss = false): string {
  const groups = new Map<string, ProcessInfo[]>();
  for (const p of procs) groups.set(p.comm, [...(groups.get(p.comm) ?? []), p]);
  return [...groups].map(([name, ps]) => `${name}×${ps.length}${withRss ? ` ${totalRssMiB(ps).toFixed(1)} MiB` : ''}`).join(', ');
}
