import { existsSync } from 'node:fs';
import { InvalidArgumentError } from '../../common/errors.js';
import { resourcesFromDocker } from '../runtime/cgroup-resources.js';
import { specCgroupsPath } from '../runtime/cgroups/cgroup-manager.js';
import { hostInfo, type HostInfo } from '../runtime/host-setup.js';
import type { OciMount, OciNamespace, OciProcess, OciRlimit, OciSpec } from '../runtime/oci-spec.js';
import { resolveCapabilities } from './spec/capabilities.js';
import { allHostDevices, defaultDeviceRules, deviceCgroupRules, requestedDevices } from './spec/devices.js';
import { seccompFromOption } from './spec/seccomp.js';
import { resolveUser } from './spec/user.js';
import type { ContainerConfig, HostConfig } from './container-model.js';

/** The parts of a container record the spec is made from (Docker's Config and HostConfig). */
export interface SpecContainer {
  Id: string;
  Config: Partial<ContainerConfig>;
  HostConfig: HostConfig;
}

export interface SpecContext {
  /** The mounted root filesystem. */
  rootfs: string;
  /** Network namespace to join; absent with NetworkMode host (no namespace) or none (a new one). */
  netnsPath?: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  /** Volumes and other mounts the container service resolved (named volumes, image volumes). */
  mounts?: OciMount[];
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHM = 64 * 1024 * 1024;
const DOCKER_NOFILE = 1048576;

/** Docker's masked and read-only /proc and /sys paths (moby oci/defaults.go). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Static init binaries Debian ships; Docker's docker-init is tini. */
const INIT_CANDIDATES = ['/usr/bin/tini-static', '/usr/libexec/podman/catatonit', '/usr/bin/catatonit'];
export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';

export function initBinary(): string | undefined {
  return INIT_CANDIDATES.find((p) => existsSync(p));
}

/** `--security-opt` entries as key → value ("no-new-privileges" alone means true). */
function securityOpts(list: string[] | null | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of list ?? []) {
    const i = o.search(/[=:]/);
    if (i < 0) m.set(o, 'true');
    else m.set(o.slice(0, i), o.slice(i + 1));
  }
  return m;
}

function environment(c: SpecContainer, home: string): string[] {
  const env: string[] = [...(c.Config.Env ?? [])];
  const has = (k: string): boolean => env.some((e) => e === k || e.startsWith(`${k}=`));
  if (!has('PATH')) env.unshift(DEFAULT_PATH);
  if (!has('HOSTNAME') && c.Config.Hostname) env.unshift(`HOSTNAME=${c.Config.Hostname}`);
  if (c.Config.Tty && !has('TERM')) env.push('TERM=xterm');
  if (!has('HOME')) env.push(`HOME=${home}`);
  return env;
}

function rlimits(c: SpecContainer, host: HostInfo): OciRlimit[] {
  const out = new Map<string, OciRlimit>();
  out.set('RLIMIT_NOFILE', { type: 'RLIMIT_NOFILE', hard: Math.min(DOCKER_NOFILE, host.nofileHard), soft: Math.min(DOCKER_NOFILE, host.nofileHard) });
  for (const u of (c.HostConfig.Ulimits ?? []) as { Name: string; Soft: number; Hard: number }[]) {
    const type = `RLIMIT_${u.Name.toUpperCase()}`;
    const limit = type === 'RLIMIT_NOFILE' ? host.nofileHard : type === 'RLIMIT_NPROC' ? host.nprocHard : Number.MAX_SAFE_INTEGER;
    if (u.Soft > u.Hard) throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    if (!host.canLowerOomScore && u.Hard > limit) {
      throw new InvalidArgumentError(`ulimit ${u.Name}: hard limit ${u.Hard} is above this host's hard limit ${limit}, which berthd cannot raise (no CAP_SYS_RESOURCE)`);
    }
    out.set(type, { type, hard: u.Hard, soft: u.Soft });
  }
  return [...out.values()];
}

function oomScoreAdj(c: SpecContainer, host: HostInfo): number | undefined {
  const v = c.HostConfig.OomScoreAdj as number | undefined;
  if (v === undefined || v === 0) return undefined;
  if (v < -1000 || v > 1000) throw new InvalidArgumentError(`Invalid value ${v}, range for oom score adj is [-1000, 1000]`);
  if (v < host.oomScoreAdj && !host.canLowerOomScore) {
    throw new InvalidArgumentError(
      `oom-score-adj ${v} is below berthd's own (${host.oomScoreAdj}) and this host does not allow lowering it (no CAP_SYS_RESOURCE)`,
    );
  }
  return v;
}

/** Docker's Binds ("/host:/ctr[:ro|rw|z|Z|…]") for host paths; named volumes come in ctx.mounts. */
function bindMounts(binds: string[] | null | undefined): OciMount[] {
  const out: OciMount[] = [];
  for (const b of binds ?? []) {
    const [src = '', dst = '', mode = ''] = b.split(':');
    if (!src.startsWith('/')) continue;
    const opts = mode.split(',').filter(Boolean);
    const ro = opts.includes('ro');
    const prop = opts.find((o) => /^r?(private|shared|slave)$/.test(o)) ?? 'rprivate';
    out.push({ destination: dst, type: 'bind', source: src, options: ['rbind', ro ? 'ro' : 'rw', prop] });
  }
  return out;
}

function tmpfsMounts(tmpfs: Record<string, string> | null | undefined): OciMount[] {
  return Object.entries(tmpfs ?? {}).map(([dst, opts]) => ({
    destination: dst,
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'nodev', 'noexec', ...opts.split(',').filter(Boolean)],
  }));
}

function defaultMounts(c: SpecContainer, ctx: SpecContext, privileged: boolean): OciMount[] {
  const shm = (c.HostConfig.ShmSize as number | undefined) || DEFAULT_SHM;
  const ro = c.HostConfig.ReadonlyRootfs ? 'ro' : 'rw';
  const sysRo = privileged ? 'rw' : 'ro';
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', sysRo] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', sysRo] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  if ((c.HostConfig.IpcMode ?? '') !== 'host') {
    mounts.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shm}`] });
  }
  for (const [dst, src] of [
    ['/etc/resolv.conf', ctx.resolvConfPath],
    ['/etc/hostname', ctx.hostnamePath],
    ['/etc/hosts', ctx.hostsPath],
  ] as const) {
    if (src) mounts.push({ destination: dst, type: 'bind', source: src, options: ['rbind', 'rprivate', ro] });
  }
  return mounts;
}

function namespaces(c: SpecContainer, ctx: SpecContext, host: HostInfo): OciNamespace[] {
  const hc = c.HostConfig;
  const ns: OciNamespace[] = [{ type: 'mount' }];
  if (hc.PidMode !== 'host') ns.push({ type: 'pid' });
  if (hc.IpcMode !== 'host') ns.push({ type: 'ipc' });
  if (hc.UTSMode !== 'host') ns.push({ type: 'uts' });
  if (hc.NetworkMode !== 'host') ns.push(ctx.netnsPath ? { type: 'network', path: ctx.netnsPath } : { type: 'network' });
  const cgroupns = hc.CgroupnsMode || (host.cgroupVersion === '2' ? 'private' : 'host');
  if (cgroupns === 'private') ns.push({ type: 'cgroup' });
  return ns;
}

/**
 * The OCI runtime spec for a container, as dockerd would make it: Docker's defaults (capabilities,
 * seccomp, masked paths, devices, mounts) adjusted by Config and HostConfig.
 */
export function buildSpec(c: SpecContainer, ctx: SpecContext, host: HostInfo = hostInfo()): OciSpec {
  const hc = c.HostConfig;
  const cfg = c.Config;
  const privileged = !!hc.Privileged;
  const sec = securityOpts(hc.SecurityOpt);
  const user = resolveUser(ctx.rootfs, cfg.User, hc.GroupAdd ?? []);
  const caps = resolveCapabilities({ capAdd: hc.CapAdd, capDrop: hc.CapDrop, privileged });

  let args: string[] = [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])];
  if (args.length === 0) throw new InvalidArgumentError('no command specified');
  const extraMounts: OciMount[] = [];
  if (hc.Init) {
    const init = initBinary();
    if (!init) throw new InvalidArgumentError('--init: no init binary found on this host (install tini or catatonit)');
    extraMounts.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: init, options: ['bind', 'ro'] });
    args = [INIT_PATH_IN_CONTAINER, '--', ...args];
  }

  const process: OciProcess = {
    terminal: !!cfg.Tty,
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    args,
    env: environment(c, user.home),
    cwd: cfg.WorkingDir || '/',
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    rlimits: rlimits(c, host),
    noNewPrivileges: ['true', '1', ''].includes(sec.get('no-new-privileges') ?? 'false'),
  };
  const size = hc.ConsoleSize as [number, number] | undefined;
  if (cfg.Tty && size && size[0] > 0 && size[1] > 0) process.consoleSize = { height: size[0], width: size[1] };
  const adj = oomScoreAdj(c, host);
  if (adj !== undefined) process.oomScoreAdj = adj;

  const resources = resourcesFromDocker(hc, host);
  const devices = privileged ? allHostDevices() : [];
  resources.devices = privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceRules();
  if (!privileged && hc.Devices?.length) {
    const req = requestedDevices(hc.Devices);
    devices.push(...req.devices);
    resources.devices.push(...req.rules);
  }
  // After the devices' own rules, as moby appends them; privileged already allows everything.
  if (!privileged) resources.devices.push(...deviceCgroupRules(hc.DeviceCgroupRules));

  const spec: OciSpec = {
    ociVersion: '1.0.2-dev',
    process,
    root: { path: ctx.rootfs, readonly: !!hc.ReadonlyRootfs },
    mounts: [...defaultMounts(c, ctx, privileged), ...extraMounts, ...(ctx.mounts ?? [...bindMounts(hc.Binds), ...tmpfsMounts(hc.Tmpfs)])],
    linux: {
      namespaces: namespaces(c, ctx, host),
      // cgroupfs: /berth/<id>; systemd: system.slice:berth:<id> (a berth-<id>.scope unit).
      cgroupsPath: specCgroupsPath(host.cgroupDriver, c.Id),
      resources,
      devices,
      maskedPaths: privileged ? [] : (hc.MaskedPaths ?? DEFAULT_MASKED_PATHS),
      readonlyPaths: privileged ? [] : (hc.ReadonlyPaths ?? DEFAULT_READONLY_PATHS),
    },
  };
  if (hc.UTSMode !== 'host') {
    if (cfg.Hostname) spec.hostname = cfg.Hostname;
    if (cfg.Domainname) spec.domainname = cfg.Domainname;
  }
  if (hc.Sysctls && Object.keys(hc.Sysctls).length) spec.linux!.sysctl = { ...hc.Sysctls };
  if (!privileged) {
    const seccomp = seccompFromOption(sec.get('seccomp'), caps);
    if (seccomp) spec.linux!.seccomp = seccomp;
  }
  return spec;
}
