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

/** "conmon×20, berthd×1": what a group of processes is made of. */
export function describeProcesses(procs: readonly ProcessInfo[]): string {
  const counts = new Map<string, number>();
  for (const p of procs) counts.set(p.comm, (counts.get(p.comm) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name}×${n}`).join(', ');
}
