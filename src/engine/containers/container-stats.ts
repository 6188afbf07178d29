import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { BlkioEntry } from '../runtime/cgroups/cgroup-driver.js';
import { containerCgroupCpuStats, containerCgroupStats } from '../runtime/container-cgroups.js';
import type { CgroupStats } from '../runtime/cgroups/cgroup-driver.js';
import type { ContainerRecord } from './container-model.js';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

let systemCpu = { ns: 0, at: 0 };
/**
 * The host's total CPU time in nanoseconds, as dockerd reports system_cpu_usage. /proc/stat counts
 * in 10 ms ticks, so a read up to 2 ms old is as exact as a new one and spares a burst of samples
 * (docker stats of 500 containers) one read each.
 */
function systemCpuNs(): number {
  const now = performance.now();
  if (now - systemCpu.at > 2) {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const ticks = line.split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0);
    systemCpu = { ns: (ticks * 1e9) / 100, at: now };
  }
  return systemCpu.ns;
}

/** What a later document needs of an earlier sample: its time and CPU counters (precpu_stats). */
export type StatsSample = Pick<ReturnType<typeof sample>, 'read' | 'cpu_stats'>;

let cpuCount = { n: 0, at: 0 };
/** os.cpus() parses /proc/cpuinfo: 500 samples at once would pay it 500 times, so it is kept a few seconds. */
function onlineCpus(): number {
  const now = Date.now();
  if (now - cpuCount.at > 5000) cpuCount = { n: os.cpus().length, at: now };
  return cpuCount.n;
}

function cpuStats(cpu: CgroupStats['cpu']) {
  return {
    cpu_usage: { total_usage: cpu.totalNs, usage_in_kernelmode: cpu.systemNs, usage_in_usermode: cpu.userNs },
    system_cpu_usage: systemCpuNs(),
    online_cpus: onlineCpus(),
    throttling_data: { periods: cpu.periods, throttled_periods: cpu.throttledPeriods, throttled_time: cpu.throttledTimeNs },
  };
}

/** A running container's CPU counters alone: the first sample of a two-sample answer only fills precpu_stats. */
export function precpuSample(c: ContainerRecord): StatsSample | undefined {
  return c.State.Running ? { read: new Date().toISOString(), cpu_stats: cpuStats(containerCgroupCpuStats(c.Id)) } : undefined;
}

const blkio = (list: BlkioEntry[]): BlkioEntry[] | null => (list.length ? list : null);

function sample(c: ContainerRecord) {
  // Both cgroup layouts come back in one shape: the driver converts v2's usec and io.stat.
  const s = containerCgroupStats(c.Id);
  const host = os.totalmem();
  // dockerd reports the machine's memory when no limit is set or the limit is above it.
  const limit = s.memory.limit > 0 && s.memory.limit < host ? s.memory.limit : host;
  return {
    read: new Date().toISOString(),
    cpu_stats: cpuStats(s.cpu),
    memory_stats: {
      usage: s.memory.usage,
      ...(s.memory.maxUsage !== undefined ? { max_usage: s.memory.maxUsage } : {}),
      stats: s.memory.stats,
      ...(s.memory.failcnt !== undefined ? { failcnt: s.memory.failcnt } : {}),
      limit,
    },
    pids_stats: { current: s.pids.current, ...(s.pids.limit ? { limit: s.pids.limit } : {}) },
    blkio_stats: {
      io_service_bytes_recursive: blkio(s.blkio.serviceBytes),
      io_serviced_recursive: blkio(s.blkio.serviced),
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
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
    blkio_stats: now?.blkio_stats ?? { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: now?.cpu_stats ?? empty,
    precpu_stats: previous?.cpu_stats ?? empty,
    memory_stats: now?.memory_stats ?? {},
    ...(c.State.Running ? { networks: networks(c.State.Pid) } : {}),
  };
  return { json, sample: now };
}
