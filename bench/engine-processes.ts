import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CliEngine } from './engines.js';
import { descendantsOf, type ProcessInfo } from './process-table.js';

function pidFromFile(path: string, table: readonly ProcessInfo[]): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return table.some((p) => p.pid === pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The engine's long-running daemon (berthd, dockerd); none for podman. */
export function daemonPid(e: CliEngine, table: readonly ProcessInfo[]): number | undefined {
  if (e.family === 'berth') {
    const fromFile = pidFromFile(`${dirname(e.socketPath!)}/berthd.pid`, table);
    return fromFile ?? table.find((p) => p.argv.some((a) => /(^|\/)berthd(\.mjs)?$/.test(a)))?.pid;
  }
  if (e.family === 'docker') {
    return pidFromFile('/var/run/docker-bench.pid', table) ?? pidFromFile('/var/run/docker.pid', table) ?? table.find((p) => p.comm === 'dockerd')?.pid;
  }
  return undefined;
}

/** The daemon and everything it spawned that is still its child (containerd, docker-proxy, helpers). */
export function daemonTree(e: CliEngine, table: readonly ProcessInfo[]): ProcessInfo[] {
  const pid = daemonPid(e, table);
  return pid === undefined ? [] : descendantsOf([pid], table);
}

/** Per-container monitors (conmon, containerd-shim): daemonised processes whose argv names the container. */
export function containerMonitors(table: readonly ProcessInfo[], ids: readonly string[]): ProcessInfo[] {
  return table.filter((p) => p.comm !== 'crun' && p.comm !== 'runc' && p.argv.some((a) => ids.some((id) => a === id || a.includes(id))));
}

/** Everything the engine runs for these containers: daemon tree, monitors and the containers under them. */
export function engineProcesses(e: CliEngine, table: readonly ProcessInfo[], ids: readonly string[]): ProcessInfo[] {
  const monitors = containerMonitors(table, ids);
  const all = new Map<number, ProcessInfo>();
  for (const p of [...daemonTree(e, table), ...descendantsOf(monitors.map((m) => m.pid), table)]) all.set(p.pid, p);
  return [...all.values()];
}
