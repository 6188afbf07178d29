import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { hostInfo } from '../runtime/host-setup.js';

/** What /info reports of the daemon's configuration (dockerd's key names). */
export interface SystemInfoConfig {
  runtimes: Record<string, { path: string; runtimeArgs?: string[] }>;
  'default-runtime': string;
  'insecure-registries': string[];
  'registry-mirrors': string[];
  'log-level': string;
  'log-driver': string;
  'data-root': string;
}

export interface ResourceCounts {
  containers: number;
  running: number;
  paused: number;
  stopped: number;
  images: number;
}

export interface SystemInfoDeps {
  config: SystemInfoConfig;
  /** Version strings that live above the engine (API version, berth version). */
  versions: { berth: string; api: string; minApi: string; buildTime?: Date };
  counts: () => ResourceCounts;
  id: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
export const hostArch = (): string => GO_ARCH[process.arch] ?? process.arch;

/** The host's cgroup version, as the runtime layer detected it (mountinfo, not a guess from one file). */
export function cgroupVersion(): '1' | '2' {
  return hostInfo().cgroupVersion;
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'linux';
  } catch {
    return 'linux';
  }
}

function commandVersion(path: string): string {
  return existsSync(path) ? path : '';
}

/** dockerd's /info warnings for cgroup features the host lacks. */
function hostWarnings(h: ReturnType<typeof hostInfo>): string[] {
  const w: string[] = [];
  if (!h.memoryLimit) w.push('WARNING: No memory limit support');
  if (!h.swapLimit) w.push('WARNING: No swap limit support');
  if (!h.cpuCfsQuota) w.push('WARNING: No cpu cfs quota support', 'WARNING: No cpu cfs period support');
  if (!h.cpuShares) w.push('WARNING: No cpu shares support');
  if (!h.cpuset) w.push('WARNING: No cpuset support');
  return w;
}

/** Everything /version and /info report, from real readings of this host. */
export class SystemInfo {
  private readonly started = new Date();
  constructor(private readonly d: SystemInfoDeps) {}

  version(): Record<string, unknown> {
    const { berth, api, minApi } = this.d.versions;
    const details = {
      ApiVersion: api,
      Arch: hostArch(),
      BuildTime: (this.d.versions.buildTime ?? this.started).toISOString(),
      Experimental: 'false',
      GitCommit: '',
      GoVersion: `node ${process.version}`,
      KernelVersion: os.release(),
      MinAPIVersion: minApi,
      Os: 'linux',
    };
    return {
      Platform: { Name: 'berth' },
      Components: [{ Name: 'Engine', Version: berth, Details: details }],
      Version: berth,
      ApiVersion: api,
      MinAPIVersion: minApi,
      GitCommit: '',
      GoVersion: details.GoVersion,
      Os: 'linux',
      Arch: details.Arch,
      KernelVersion: details.KernelVersion,
      BuildTime: details.BuildTime,
    };
  }

  /** GET /info in the newest API's shape; the API's version gates give older clients theirs. */
  async info(): Promise<Record<string, unknown>> {
    const c = this.d.counts();
    const cfg = this.d.config;
    const host = hostInfo();
    const v2 = host.cgroupVersion === '2';
    const runtimes: Record<string, unknown> = {};
    for (const [name, r] of Object.entries(cfg.runtimes)) runtimes[name] = { path: r.path, runtimeArgs: r.runtimeArgs };
    const insecure = ['127.0.0.0/8', '::1/128', ...cfg['insecure-registries']];
    return {
      ID: this.d.id,
      Containers: c.containers,
      ContainersRunning: c.running,
      ContainersPaused: c.paused,
      ContainersStopped: c.stopped,
      Images: c.images,
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', 'extfs'],
        ['Supports d_type', 'true'],
        ['Using metacopy', 'false'],
        ['Native Overlay Diff', 'true'],
        ['userxattr', 'false'],
      ],
      Plugins: {
        Volume: ['local'],
        Network: ['bridge', 'host', 'null'],
        Authorization: null,
        Log: ['json-file'],
      },
      MemoryLimit: host.memoryLimit,
      SwapLimit: host.swapLimit,
      CpuCfsPeriod: host.cpuCfsQuota,
      CpuCfsQuota: host.cpuCfsQuota,
      CPUShares: host.cpuShares,
      CPUSet: host.cpuset,
      PidsLimit: host.pidsLimit,
      IPv4Forwarding: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1',
      Debug: cfg['log-level'] === 'debug',
      NFd: 0,
      OomKillDisable: host.oomKillDisable,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: cfg['log-driver'],
      CgroupDriver: host.cgroupDriver,
      CgroupVersion: host.cgroupVersion,
      NEventsListener: 0,
      KernelVersion: os.release(),
      OperatingSystem: osName(),
      OSVersion: '',
      OSType: 'linux',
      Architecture: os.machine(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: {
        InsecureRegistryCIDRs: insecure.filter((x) => x.includes('/')),
        IndexConfigs: {
          'docker.io': { Name: 'docker.io', Mirrors: cfg['registry-mirrors'], Secure: true, Official: true },
          ...Object.fromEntries(
            cfg['insecure-registries']
              .filter((x) => !x.includes('/'))
              .map((h) => [h, { Name: h, Mirrors: [], Secure: false, Official: false }]),
          ),
        },
        Mirrors: cfg['registry-mirrors'],
      },
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      GenericResources: null,
      DockerRootDir: cfg['data-root'],
      HttpProxy: process.env.HTTP_PROXY ?? '',
      HttpsProxy: process.env.HTTPS_PROXY ?? '',
      NoProxy: process.env.NO_PROXY ?? '',
      Name: os.hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: this.d.versions.berth,
      Runtimes: runtimes,
      DefaultRuntime: cfg['default-runtime'],
      Swarm: {
        NodeID: '',
        NodeAddr: '',
        LocalNodeState: 'inactive',
        ControlAvailable: false,
        Error: '',
        RemoteManagers: null,
      },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: 'catatonit',
      ContainerdCommit: { ID: '' },
      RuncCommit: { ID: commandVersion(cfg.runtimes[cfg['default-runtime']]?.path ?? '') },
      InitCommit: { ID: '' },
      // berth's port publishing and isolation rules are nftables tables.
      FirewallBackend: { Driver: 'nftables' },
      SecurityOptions: ['name=seccomp,profile=builtin', ...(v2 ? ['name=cgroupns'] : [])],
      CDISpecDirs: [],
      Warnings: hostWarnings(host),
    };
  }
}
