import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { cgroupsPathFor } from '../runtime/container-cgroups.js';
import { CGROUP_ROOT, cgroupVersionOf, v1Hierarchies } from '../runtime/host-setup.js';
import type { ContainerRecord } from './container-model.js';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const num = (s: string | undefined): number => (s === undefined || s.trim() === 'max' ? 0 : Number(s.trim()) || 0);

function keyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

/** The host's total CPU time in nanoseconds, as dockerd reports system_cpu_usage. */
function systemCpuNs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const ticks = line.split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0);
  return (ticks * 1e9) / 100;
}

function cgroupDir(controller: string, id: string): string {
  if (cgroupVersionOf() === '2') return join(CGROUP_ROOT, cgroupsPathFor(id));
  const mount = v1Hierarchies().get(controller) ?? join(CGROUP_ROOT, controller);
  return join(mount, cgroupsPathFor(id));
}

export type StatsSample = ReturnType<typeof sample>;

function sample(c: ContainerRecord) {
  const v2 = cgroupVersionOf() === '2';
  const id = c.Id;
  let cpuTotal: number;
  let cpuUser = 0;
  let cpuSys = 0;
  let memUsage: number;
  let memLimit: number;
  let memStats: Record<string, number>;
  let pids: number;
  let pidsLimit: number;
  if (v2) {
    const dir = cgroupDir('', id);
    const cpu = keyed(read(join(dir, 'cpu.stat')));
    cpuTotal = (cpu.usage_usec ?? 0) * 1000;
    cpuUser = (cpu.user_usec ?? 0) * 1000;
    cpuSys = (cpu.system_usec ?? 0) * 1000;
    memUsage = num(read(join(dir, 'memory.current')));
    memLimit = num(read(join(dir, 'memory.max'))) || os.totalmem();
    memStats = keyed(read(join(dir, 'memory.stat')));
    pids = num(read(join(dir, 'pids.current')));
    pidsLimit = num(read(join(dir, 'pids.max')));
  } else {
    const acct = cgroupDir('cpuacct', id);
    cpuTotal = num(read(join(acct, 'cpuacct.usage')));
    const st = keyed(read(join(acct, 'cpuacct.stat')));
    cpuUser = ((st.user ?? 0) * 1e9) / 100;
    cpuSys = ((st.system ?? 0) * 1e9) / 100;
    const mem = cgroupDir('memory', id);
    memUsage = num(read(join(mem, 'memory.usage_in_bytes')));
    const limit = num(read(join(mem, 'memory.limit_in_bytes')));
    memLimit = limit > 0 && limit < os.totalmem() ? limit : os.totalmem();
    memStats = keyed(read(join(mem, 'memory.stat')));
    const p = cgroupDir('pids', id);
    pids = num(read(join(p, 'pids.current')));
    pidsLimit = num(read(join(p, 'pids.max')));
  }
  return {
    read: new Date().toISOString(),
    cpu_stats: {
      cpu_usage: { total_usage: cpuTotal, usage_in_kernelmode: cpuSys, usage_in_usermode: cpuUser },
      system_cpu_usage: systemCpuNs(),
      online_cpus: os.cpus().length,
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    },
    memory_stats: { usage: memUsage, limit: memLimit, stats: memStats },
    pids_stats: { current: pids, ...(pidsLimit ? { limit: pidsLimit } : {}) },
  };
}

function networks(pid: number): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const text = pid > 0 ? read(`/proc/${pid}/net/dev`) : undefined;
  for (const line of (text ?? '').split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out[m[1]!] = {
      rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
      tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
    };
  }
  return out;
}

/**
 * One entry of GET /containers/{id}/stats in Docker's shape, with `precpu_stats` from the previous
 * sample so clients can compute CPU percentages.
 */
export function containerStats(c: ContainerRecord, previous?: StatsSample): { json: Record<string, unknown>; sample?: StatsSample } {
  const now = c.State.Running ? sample(c) : undefined;
  const empty = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  const json = {
    name: c.Name,
    id: c.Id,
    read: now?.read ?? '0001-01-01T00:00:00Z',
    preread: previous?.read ?? '0001-01-01T00:00:00Z',
    pids_stats: now?.pids_stats ?? {},
    blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: now?.cpu_stats ?? empty,
    precpu_stats: previous?.cpu_stats ?? empty,
    memory_stats: now?.memory_stats ?? {},
    ...(c.State.Running ? { networks: networks(c.State.Pid) } : {}),
  };
  return { json, sample: now };
}
