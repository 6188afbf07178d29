// Docker's HostConfig defaults and the checks dockerd makes at create.
import { InvalidArgumentError } from '../../common/errors.js';
import type { HostConfig } from './container-model.js';
import { logPolicy } from './log-policy.js';

const MIN_MEMORY = 6 * 1024 * 1024;
/** dockerd's built-in log drivers; each is accepted, and logs are kept by conmon whatever the name. */
const LOG_DRIVERS = new Set(['json-file', 'local', 'none', 'journald', 'syslog', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries']);

/** Docker's HostConfig defaults and the checks dockerd makes at create. */
/** A HostConfig after create's defaults: the fields every later step reads are there. */
export type NormalHostConfig = HostConfig & { NetworkMode: string };

export function normaliseHostConfig(h: HostConfig, logDriver: string): NormalHostConfig {
  const out: NormalHostConfig = { ...h, NetworkMode: !h.NetworkMode || h.NetworkMode === 'default' ? 'bridge' : h.NetworkMode };
  const policy = { Name: h.RestartPolicy?.Name || 'no', MaximumRetryCount: h.RestartPolicy?.MaximumRetryCount ?? 0 };
  out.RestartPolicy = policy;
  checkRestartPolicy(policy, !!h.AutoRemove);
  checkResources(h);
  const log = { Type: h.LogConfig?.Type || logDriver, Config: h.LogConfig?.Config ?? {} };
  out.LogConfig = log;
  if (!LOG_DRIVERS.has(log.Type)) throw new InvalidArgumentError(`logger: no log driver named '${log.Type}' is registered`);
  logPolicy(log, { driver: logDriver, opts: {} }); // lifecycle: bad max-size/max-file fail at create
  fillDefaults(out, h);
  return out;
}

function checkRestartPolicy(p: { Name: string; MaximumRetryCount: number }, autoRemove: boolean): void {
  const policies = ['no', 'always', 'on-failure', 'unless-stopped'];
  if (!policies.includes(p.Name)) throw new InvalidArgumentError(`invalid restart policy: unknown policy '${p.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (p.Name !== 'on-failure' && p.MaximumRetryCount > 0) {
    throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (p.MaximumRetryCount < 0) throw new InvalidArgumentError('invalid restart policy: maximum retry count cannot be negative');
  if (autoRemove && p.Name !== 'no') {
    throw new InvalidArgumentError(`conflicting options: cannot combine AutoRemove (--rm) with restart policy (--restart)`);
  }
}

function checkResources(h: HostConfig): void {
  if (h.Memory && h.Memory > 0 && h.Memory < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  if ((h.MemorySwap ?? 0) > 0 && (h.Memory ?? 0) > 0 && h.MemorySwap! < h.Memory!) {
    throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (h.NanoCpus && (h.CpuQuota || h.CpuPeriod)) {
    throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (h.NanoCpus && h.NanoCpus < 0) throw new InvalidArgumentError('Range of CPUs is from 0.01 to the number of CPUs available');
}

/** Docker's values for what the client left out (inspect shows them all). */
function fillDefaults(out: HostConfig, h: HostConfig): void {
  out.Binds ??= null;
  out.PortBindings ??= {};
  out.AutoRemove = !!h.AutoRemove;
  out.Privileged = !!h.Privileged;
  out.PublishAllPorts = !!h.PublishAllPorts;
  out.ReadonlyRootfs = !!h.ReadonlyRootfs;
  out.CapAdd ??= null;
  out.CapDrop ??= null;
  out.Dns ??= [];
  out.DnsOptions ??= [];
  out.DnsSearch ??= [];
  out.ExtraHosts ??= null;
  out.SecurityOpt ??= null;
  out.ShmSize ??= 64 * 1024 * 1024;
  out.Memory ??= 0;
  out.MemorySwap ??= 0;
  out.MemoryReservation ??= 0;
  out.NanoCpus ??= 0;
  out.CpuShares ??= 0;
  out.CpuQuota ??= 0;
  out.CpuPeriod ??= 0;
  out.CpusetCpus ??= '';
  out.CpusetMems ??= '';
  out.PidsLimit ??= null;
  out.OomKillDisable ??= false;
  out.Ulimits ??= null;
  out.IpcMode ||= 'private';
  out.PidMode ??= '';
  out.UTSMode ??= '';
  out.Init ??= null;
  out.Runtime ||= '';
  out.Mounts ??= undefined;
  out.ConsoleSize ??= [0, 0];
  out.Isolation ??= '';
  out.CgroupnsMode ||= 'host';
  out.MaskedPaths ??= undefined;
  out.ReadonlyPaths ??= undefined;
}
