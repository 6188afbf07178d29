import type { ContainerConfig, HealthConfig } from '../../../common/docker-types/container-config.js';
import type { HostConfig } from '../../../common/docker-types/host-config.js';
import type { EndpointSettings } from '../../../common/docker-types/network-settings.js';
import type { ContainerFlags } from './container-flags.js';
import { expandEnv, kvMap, readKeyValueFile, type LookupEnv } from './key-value-files.js';
import { parseDevice, parseMountSpec, parseTmpfs, parseUlimit } from './mount-specs.js';
import { addExposeSpec, addPublishSpec, type PortMap } from './port-specs.js';
import { parseDurationFlag, parseIntFlag, parseMemoryFlag, parseNanoCpus } from './units.js';

// Flags → the body of POST /containers/create (Config + HostConfig + NetworkingConfig), field for
// field what the docker CLI v28 sends, so a daemon sees the same request from either client.

/** container.Config as the CLI builds it: the attach flags always set (the CLI reads them back). */
export type CreateConfig = ContainerConfig & Required<Pick<ContainerConfig, 'AttachStdin' | 'AttachStdout' | 'AttachStderr'>>;

/** container.HostConfig as the CLI builds it (--rm and --cidfile are read back after the create). */
export type CreateHostConfig = HostConfig & Required<Pick<HostConfig, 'AutoRemove' | 'ContainerIDFile'>>;

/** The docker CLI sends every network's EndpointSettings in full, empty values included. */
export type CreateBody = CreateConfig & { HostConfig: CreateHostConfig; NetworkingConfig: { EndpointsConfig: Record<string, EndpointSettings> } };

export interface CreateRequest {
  name?: string;
  platform?: string;
  body: CreateBody;
}

export interface CreateContext {
  lookupEnv: LookupEnv;
  /** `run -d`: nothing attached. */
  detach?: boolean;
  /** [rows, cols] when -t on a terminal (docker sends the console size with the create). */
  consoleSize?: [number, number];
}

/** A user error in the flags: printed as `berth: <message>` with exit 125, as docker does. */
export class FlagError extends Error {}

const list = (f: ContainerFlags, key: string): string[] => (f[key] as string[] | undefined) ?? [];
const str = (f: ContainerFlags, key: string): string => (f[key] as string | undefined) ?? '';

function parseRestart(value: string): { Name: string; MaximumRetryCount: number } {
  if (!value) return { Name: 'no', MaximumRetryCount: 0 };
  const [name, count, extra] = value.split(':');
  if (extra !== undefined) throw new FlagError(`invalid restart policy format: maximum retry count must be an integer`);
  if (count !== undefined) {
    if (name !== 'on-failure') throw new FlagError(`invalid restart policy format: maximum retry count can only be used with 'on-failure'`);
    if (!/^\d+$/.test(count)) throw new FlagError(`invalid restart policy format: maximum retry count must be an integer`);
    return { Name: name, MaximumRetryCount: Number(count) };
  }
  return { Name: name!, MaximumRetryCount: 0 };
}

export { parseRestart };

/** `NET_ADMIN` / `net_admin` → `CAP_NET_ADMIN`; `ALL` stays. */
function normalizeCaps(caps: string[]): string[] | null {
  if (!caps.length) return null;
  return caps.map((c) => {
    const u = c.toUpperCase();
    return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
  });
}

/** `-v` specs with a destination become Binds; a lone path is an anonymous volume (Config.Volumes). */
function splitVolumes(specs: string[]): { binds: string[]; volumes: Record<string, object> } {
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const spec of specs) {
    if (!spec) throw new FlagError('invalid empty volume spec');
    // As docker: anything after the first colon makes it a bind or named volume; the daemon validates it.
    const colon = spec.indexOf(':');
    if (colon < 0 || colon === spec.length - 1) volumes[spec] = {};
    else binds.push(spec);
  }
  return { binds, volumes };
}

function healthcheck(f: ContainerFlags): HealthConfig | undefined {
  const cmd = str(f, 'healthCmd');
  const interval = parseDurationFlag(str(f, 'healthInterval'), '--health-interval');
  const timeout = parseDurationFlag(str(f, 'healthTimeout'), '--health-timeout');
  const startPeriod = parseDurationFlag(str(f, 'healthStartPeriod'), '--health-start-period');
  const startInterval = parseDurationFlag(str(f, 'healthStartInterval'), '--health-start-interval');
  const retries = parseIntFlag(str(f, 'healthRetries'), '--health-retries');
  const any = cmd || interval || timeout || startPeriod || startInterval || retries;
  if (f.healthcheck === false) {
    if (any) throw new FlagError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  if (interval < 0) throw new FlagError('--health-interval cannot be negative');
  if (timeout < 0) throw new FlagError('--health-timeout cannot be negative');
  if (retries < 0) throw new FlagError('--health-retries cannot be negative');
  if (startPeriod < 0) throw new FlagError('--health-start-period cannot be negative');
  const hc: HealthConfig = {};
  if (cmd) hc.Test = ['CMD-SHELL', cmd];
  if (interval) hc.Interval = interval;
  if (timeout) hc.Timeout = timeout;
  if (startPeriod) hc.StartPeriod = startPeriod;
  if (startInterval) hc.StartInterval = startInterval;
  if (retries) hc.Retries = retries;
  return hc;
}

function emptyEndpoint(): EndpointSettings {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

const BUILTIN_NETWORK_MODES = /^(default|bridge|host|none|container:.*)$/;

/** The endpoint settings: `--ip`, `--network-alias`, `--mac-address` and `--link` go to the first network. */
function endpoints(f: ContainerFlags, networks: string[]): Record<string, EndpointSettings> {
  const aliases = [...list(f, 'networkAlias'), ...list(f, 'netAlias')];
  const links = list(f, 'link');
  const ip = str(f, 'ip');
  const ip6 = str(f, 'ip6');
  const mac = str(f, 'macAddress');
  const custom = aliases.length > 0 || links.length > 0 || !!ip || !!ip6 || !!mac;
  const first = (): EndpointSettings => {
    const ep = emptyEndpoint();
    if (aliases.length) ep.Aliases = aliases;
    if (links.length) ep.Links = links;
    if (ip || ip6) ep.IPAMConfig = { ...(ip ? { IPv4Address: ip } : {}), ...(ip6 ? { IPv6Address: ip6 } : {}) };
    if (mac) ep.MacAddress = mac;
    return ep;
  };
  if (networks.length === 0) return { default: first() };
  const out: Record<string, EndpointSettings> = {};
  let userDefined = false;
  let builtin = false;
  networks.forEach((n, i) => {
    if (BUILTIN_NETWORK_MODES.test(n)) builtin = true;
    else userDefined = true;
    if (n in out) throw new FlagError(`network "${n}" is specified multiple times`);
    // A single network without options sends no endpoint config (docker's backward compatibility).
    if (i === 0 && networks.length === 1 && !custom) return;
    out[n] = i === 0 ? first() : emptyEndpoint();
  });
  if (userDefined && builtin) throw new FlagError('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return out;
}

function toMap(items: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FlagError(`invalid ${what}: ${item}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Builds what `run`/`create` send. Throws FlagError for invalid or conflicting flags. */
export function buildCreateRequest(f: ContainerFlags, image: string, args: string[], ctx: CreateContext): CreateRequest {
  try {
    return build(f, image, args, ctx);
  } catch (err) {
    if (err instanceof FlagError) throw err;
    throw new FlagError((err as Error).message);
  }
}

function build(f: ContainerFlags, image: string, args: string[], ctx: CreateContext): CreateRequest {
  const attach = list(f, 'attach').map((a) => a.toLowerCase());
  for (const a of attach) if (!['stdin', 'stdout', 'stderr'].includes(a)) throw new FlagError(`valid streams are STDIN, STDOUT and STDERR`);
  const interactive = f.interactive === true;
  let attachStdin = attach.includes('stdin') || interactive;
  let attachStdout = attach.length === 0 || attach.includes('stdout');
  let attachStderr = attach.length === 0 || attach.includes('stderr');
  if (ctx.detach) {
    if (attach.length) throw new FlagError('conflicting options: cannot specify both --attach and --detach');
    attachStdin = attachStdout = attachStderr = false;
  }

  const ports: PortMap = { exposed: {}, bindings: {} };
  for (const p of list(f, 'publish')) addPublishSpec(ports, p);
  for (const e of list(f, 'expose')) addExposeSpec(ports, e);

  const env = [...list(f, 'envFile').flatMap((file) => readKeyValueFile(file, ctx.lookupEnv)), ...list(f, 'env').map((e) => expandEnv(e, ctx.lookupEnv))];
  const labels = kvMap([...list(f, 'labelFile').flatMap((file) => readKeyValueFile(file)), ...list(f, 'label')]);
  // Podman's flag; berthd reads it from this label, which compose files can set directly.
  const onFailure = str(f, 'healthOnFailure');
  if (onFailure) {
    if (!['none', 'kill', 'restart', 'stop'].includes(onFailure)) throw new FlagError(`invalid value "${onFailure}" for --health-on-failure: use none, kill, restart or stop`);
    labels['berth.health-on-failure'] = onFailure;
  }
  const { binds, volumes } = splitVolumes(list(f, 'volume'));
  const restart = parseRestart(str(f, 'restart'));
  if (f.rm === true && restart.Name !== 'no' && restart.Name !== '') throw new FlagError('conflicting options: cannot specify both --restart and --rm');

  const entrypoint = f.entrypoint === undefined ? null : str(f, 'entrypoint') === '' ? [''] : [str(f, 'entrypoint')];
  const networks = [...list(f, 'network'), ...list(f, 'net')];
  const stopTimeout = str(f, 'stopTimeout');
  const hc = healthcheck(f);
  const memorySwappiness = str(f, 'memorySwappiness');
  const pidsLimit = parseIntFlag(str(f, 'pidsLimit'), '--pids-limit');
  const logOpts = kvMap(list(f, 'logOpt'));

  const config: CreateConfig = {
    Hostname: str(f, 'hostname'),
    Domainname: str(f, 'domainname'),
    User: str(f, 'user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(Object.keys(ports.exposed).length ? { ExposedPorts: ports.exposed } : {}),
    Tty: f.tty === true,
    OpenStdin: interactive,
    StdinOnce: interactive && attachStdin,
    Env: env.length ? env : null,
    Cmd: args.length ? args : null,
    ...(hc ? { Healthcheck: hc } : {}),
    Image: image,
    Volumes: volumes,
    WorkingDir: str(f, 'workdir'),
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: labels,
    ...(f.stopSignal ? { StopSignal: str(f, 'stopSignal') } : {}),
    ...(stopTimeout ? { StopTimeout: parseIntFlag(stopTimeout, '--stop-timeout') } : {}),
  };

  const tmpfs = Object.fromEntries(list(f, 'tmpfs').map(parseTmpfs));
  const sysctls = toMap(list(f, 'sysctl'), 'sysctl value');
  const mounts = list(f, 'mount').map(parseMountSpec);
  const annotations = toMap(list(f, 'annotation'), 'annotation');
  const storageOpt = toMap(list(f, 'storageOpt'), 'storage-opt');
  const hostConfig: CreateHostConfig = {
    Binds: binds.length ? binds : null,
    ContainerIDFile: str(f, 'cidfile'),
    LogConfig: { Type: str(f, 'logDriver'), Config: logOpts },
    NetworkMode: networks[0] ?? 'default',
    PortBindings: ports.bindings,
    RestartPolicy: restart,
    AutoRemove: f.rm === true,
    VolumeDriver: str(f, 'volumeDriver'),
    VolumesFrom: list(f, 'volumesFrom').length ? list(f, 'volumesFrom') : null,
    ConsoleSize: ctx.consoleSize ?? [0, 0],
    ...(Object.keys(annotations).length ? { Annotations: annotations } : {}),
    CapAdd: normalizeCaps(list(f, 'capAdd')),
    CapDrop: normalizeCaps(list(f, 'capDrop')),
    CgroupnsMode: str(f, 'cgroupns'),
    Dns: list(f, 'dns'),
    DnsOptions: [...list(f, 'dnsOption'), ...list(f, 'dnsOpt')],
    DnsSearch: list(f, 'dnsSearch'),
    ExtraHosts: list(f, 'addHost').length ? list(f, 'addHost') : null,
    GroupAdd: list(f, 'groupAdd').length ? list(f, 'groupAdd') : null,
    IpcMode: str(f, 'ipc'),
    Cgroup: '',
    Links: list(f, 'link').length ? list(f, 'link') : null,
    OomScoreAdj: parseIntFlag(str(f, 'oomScoreAdj'), '--oom-score-adj'),
    PidMode: str(f, 'pid'),
    Privileged: f.privileged === true,
    PublishAllPorts: f.publishAll === true,
    ReadonlyRootfs: f.readOnly === true,
    SecurityOpt: list(f, 'securityOpt').length ? list(f, 'securityOpt') : null,
    ...(Object.keys(storageOpt).length ? { StorageOpt: storageOpt } : {}),
    ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
    UTSMode: str(f, 'uts'),
    UsernsMode: str(f, 'userns'),
    ShmSize: parseMemoryFlag(str(f, 'shmSize'), '--shm-size'),
    ...(Object.keys(sysctls).length ? { Sysctls: sysctls } : {}),
    ...(f.runtime ? { Runtime: str(f, 'runtime') } : {}),
    Isolation: str(f, 'isolation'),
    CpuShares: parseIntFlag(str(f, 'cpuShares'), '-c, --cpu-shares'),
    Memory: parseMemoryFlag(str(f, 'memory'), '-m, --memory'),
    NanoCpus: parseNanoCpus(str(f, 'cpus')),
    CgroupParent: str(f, 'cgroupParent'),
    BlkioWeight: parseIntFlag(str(f, 'blkioWeight'), '--blkio-weight'),
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: parseIntFlag(str(f, 'cpuPeriod'), '--cpu-period'),
    CpuQuota: parseIntFlag(str(f, 'cpuQuota'), '--cpu-quota'),
    CpuRealtimePeriod: parseIntFlag(str(f, 'cpuRtPeriod'), '--cpu-rt-period'),
    CpuRealtimeRuntime: parseIntFlag(str(f, 'cpuRtRuntime'), '--cpu-rt-runtime'),
    CpusetCpus: str(f, 'cpusetCpus'),
    CpusetMems: str(f, 'cpusetMems'),
    Devices: list(f, 'device').map(parseDevice),
    DeviceCgroupRules: list(f, 'deviceCgroupRule').length ? list(f, 'deviceCgroupRule') : null,
    DeviceRequests: null,
    MemoryReservation: parseMemoryFlag(str(f, 'memoryReservation'), '--memory-reservation'),
    MemorySwap: parseMemoryFlag(str(f, 'memorySwap'), '--memory-swap', true),
    MemorySwappiness: memorySwappiness ? parseIntFlag(memorySwappiness, '--memory-swappiness') : -1,
    OomKillDisable: f.oomKillDisable === true,
    PidsLimit: pidsLimit,
    Ulimits: list(f, 'ulimit').map(parseUlimit),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    ...(mounts.length ? { Mounts: mounts } : {}),
    MaskedPaths: null,
    ReadonlyPaths: null,
    ...(f.init !== undefined ? { Init: f.init === true } : {}),
  };

  const platform = str(f, 'platform');
  return {
    ...(f.name ? { name: str(f, 'name') } : {}),
    ...(platform ? { platform } : {}),
    body: { ...config, HostConfig: hostConfig, NetworkingConfig: { EndpointsConfig: endpoints(f, networks) } },
  };
}
