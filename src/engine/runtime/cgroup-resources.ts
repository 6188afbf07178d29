import { InvalidArgumentError } from '../../common/errors.js';
import type { HostInfo } from './host-setup.js';
import type { OciLinuxResources } from './oci-spec.js';

/** The resource fields of Docker's HostConfig (and of POST /containers/{id}/update). */
export interface DockerResources {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  NanoCpus?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
}

const DOCKER_KEYS: (keyof DockerResources)[] = [
  'Memory', 'MemorySwap', 'MemoryReservation', 'MemorySwappiness', 'OomKillDisable', 'NanoCpus', 'CpuShares',
  'CpuQuota', 'CpuPeriod', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight',
];

/** Whether an object is in Docker's HostConfig shape rather than OCI's linux.resources. */
export function isDockerResources(r: object): r is DockerResources {
  return Object.keys(r).some((k) => (DOCKER_KEYS as string[]).includes(k));
}

const NANO = 1e9;
const DEFAULT_CFS_PERIOD = 100000;

/**
 * Docker HostConfig limits → OCI linux.resources, with dockerd's validation messages. Only fields
 * that are set produce output, so the result also serves `docker update` (changes only).
 */
export function resourcesFromDocker(
  hc: DockerResources,
  host: Pick<HostInfo, 'cgroupVersion' | 'swapLimit'> & Partial<Pick<HostInfo, 'cpuRealtime' | 'blkioWeight'>>,
): OciLinuxResources {
  const v2 = host.cgroupVersion === '2';
  const r: OciLinuxResources = {};
  const memory: NonNullable<OciLinuxResources['memory']> = {};
  if (hc.Memory) {
    if (hc.Memory < 6 * 1024 * 1024) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
    memory.limit = hc.Memory;
  }
  if (hc.MemorySwap !== undefined && hc.MemorySwap !== 0) {
    if (hc.MemorySwap > 0 && hc.Memory && hc.MemorySwap < hc.Memory) {
      throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
    if (hc.MemorySwap > 0 && !hc.Memory) {
      throw new InvalidArgumentError('You should always set the Memory limit when using Memoryswap limit, see usage');
    }
    if (host.swapLimit) memory.swap = hc.MemorySwap;
  } else if (hc.Memory && host.swapLimit) {
    // dockerd's default: as much swap as memory (swap = 2 × memory in memsw terms).
    memory.swap = hc.Memory * 2;
  }
  if (hc.MemoryReservation) {
    if (hc.Memory && hc.MemoryReservation > hc.Memory) {
      throw new InvalidArgumentError('Minimum memory limit can not be less than memory reservation limit, see usage');
    }
    memory.reservation = hc.MemoryReservation;
  }
  if (hc.MemorySwappiness !== undefined && hc.MemorySwappiness !== null && hc.MemorySwappiness !== -1) {
    if (hc.MemorySwappiness < 0 || hc.MemorySwappiness > 100) {
      throw new InvalidArgumentError(`Invalid value: ${hc.MemorySwappiness}, valid memory swappiness range is 0-100`);
    }
    // v2 has no swappiness: dockerd warns and drops it (crun refuses it).
    if (!v2) memory.swappiness = hc.MemorySwappiness;
  }
  // Nor can v2 disable the OOM killer: dropped as dockerd does ("OomKillDisable discarded").
  if (hc.OomKillDisable && !v2) memory.disableOOMKiller = true;
  if (Object.keys(memory).length) r.memory = memory;

  const cpu: NonNullable<OciLinuxResources['cpu']> = {};
  if (hc.NanoCpus) {
    if (hc.CpuQuota || hc.CpuPeriod) {
      throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    }
    cpu.period = DEFAULT_CFS_PERIOD;
    cpu.quota = Math.round((hc.NanoCpus * DEFAULT_CFS_PERIOD) / NANO);
  }
  if (hc.CpuPeriod) {
    if (hc.CpuPeriod < 1000 || hc.CpuPeriod > 1000000) throw new InvalidArgumentError('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
    cpu.period = hc.CpuPeriod;
  }
  if (hc.CpuQuota) {
    if (hc.CpuQuota > 0 && hc.CpuQuota < 1000) throw new InvalidArgumentError('CPU cfs quota can not be less than 1ms (i.e. 1000)');
    cpu.quota = hc.CpuQuota;
  }
  if (hc.CpuShares) cpu.shares = hc.CpuShares;
  if ((hc.CpuRealtimePeriod || hc.CpuRealtimeRuntime) && (v2 || host.cpuRealtime === false)) {
    // v2 (and kernels without RT group scheduling) have no cpu.rt_* files.
    throw new InvalidArgumentError('Your kernel does not support CPU real-time scheduler');
  }
  if (hc.CpuRealtimePeriod) cpu.realtimePeriod = hc.CpuRealtimePeriod;
  if (hc.CpuRealtimeRuntime) cpu.realtimeRuntime = hc.CpuRealtimeRuntime;
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (Object.keys(cpu).length) r.cpu = cpu;

  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null && hc.PidsLimit !== 0) {
    r.pids = { limit: hc.PidsLimit < 0 ? -1 : hc.PidsLimit };
  }
  if (hc.BlkioWeight) {
    if (hc.BlkioWeight < 10 || hc.BlkioWeight > 1000) throw new InvalidArgumentError('Range of blkio weight is from 10 to 1000');
    // Without blkio.weight / io.weight (no CFQ/BFQ) dockerd discards the weight with a warning.
    if (host.blkioWeight !== false) r.blockIO = { weight: hc.BlkioWeight };
  }
  return r;
}
