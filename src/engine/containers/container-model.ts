// A container as berth remembers it: Docker's own documents (Config, HostConfig, State,
// NetworkSettings, Mounts) kept as they are shown by inspect, plus berth's bookkeeping. The
// types carry moby's field names (api/types/container, network, mount); a field is optional
// where Docker may leave it out. They are type aliases, not interfaces, so a document passes
// wherever a plain JSON object is expected.
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** One probe's outcome, as Docker keeps it in State.Health.Log. */
export type HealthResult = { Start: string; End: string; ExitCode: number; Output: string };

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: { Status: string; FailingStreak: number; Log: HealthResult[] };
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialState(): ContainerState {
  return {
    Status: 'created',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: ZERO_TIME,
    FinishedAt: ZERO_TIME,
  };
}

/** container.HealthConfig; durations in nanoseconds. */
export type HealthConfig = {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
};

/** Docker's port sets and maps, keyed "80/tcp". */
export type PortSet = Record<string, object>;
export type PortBinding = { HostIp?: string; HostPort?: string };
export type PortMap = Record<string, PortBinding[] | null>;

/** container.Config: what the container runs, independent of the host. */
export type ContainerConfig = {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: PortSet | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig | null;
  ArgsEscaped?: boolean;
  /** The image as the client named it (the record's Image is its id). */
  Image: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[] | null;
};

export type RestartPolicy = { Name?: string; MaximumRetryCount?: number };
export type LogConfig = { Type?: string; Config?: Record<string, string> | null };
export type Ulimit = { Name?: string; Soft?: number; Hard?: number };
export type DeviceMapping = { PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string };
export type WeightDevice = { Path?: string; Weight?: number };
export type ThrottleDevice = { Path?: string; Rate?: number };

/** mount.Mount: an entry of HostConfig.Mounts as the client sends it. */
export type MountRequest = {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean } | null;
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string> | null;
    Subpath?: string;
    DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null;
  } | null;
  ImageOptions?: { Subpath?: string } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
};

/** container.Resources, embedded in HostConfig (and the body of POST /containers/{id}/update). */
export type Resources = {
  CpuShares?: number;
  Memory?: number;
  NanoCpus?: number;
  CgroupParent?: string;
  BlkioWeight?: number;
  BlkioWeightDevice?: WeightDevice[] | null;
  BlkioDeviceReadBps?: ThrottleDevice[] | null;
  BlkioDeviceWriteBps?: ThrottleDevice[] | null;
  BlkioDeviceReadIOps?: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps?: ThrottleDevice[] | null;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  Devices?: DeviceMapping[] | null;
  DeviceCgroupRules?: string[] | null;
  DeviceRequests?: unknown[] | null;
  KernelMemory?: number;
  KernelMemoryTCP?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  CpuCount?: number;
  CpuPercent?: number;
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
};

/** container.HostConfig: how the host runs the container. */
export type HostConfig = Resources & {
  Binds?: string[] | null;
  ContainerIDFile?: string;
  LogConfig?: LogConfig | null;
  NetworkMode?: string;
  PortBindings?: PortMap | null;
  RestartPolicy?: RestartPolicy | null;
  AutoRemove?: boolean;
  VolumeDriver?: string;
  VolumesFrom?: string[] | null;
  ConsoleSize?: number[] | null;
  Annotations?: Record<string, string> | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  CgroupnsMode?: string;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  IpcMode?: string;
  Cgroup?: string;
  Links?: string[] | null;
  OomScoreAdj?: number;
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  StorageOpt?: Record<string, string> | null;
  Tmpfs?: Record<string, string> | null;
  UTSMode?: string;
  UsernsMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  Isolation?: string;
  Mounts?: MountRequest[] | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Init?: boolean | null;
};

/** network.EndpointIPAMConfig */
export type EndpointIPAMConfig = { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null };

/** network.EndpointSettings: a container's place on one network (requested, and as connected). */
export type EndpointSettings = {
  IPAMConfig?: EndpointIPAMConfig | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
  GwPriority?: number;
  NetworkID?: string;
  EndpointID?: string;
  Gateway?: string;
  IPAddress?: string;
  IPPrefixLen?: number;
  IPv6Gateway?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  DNSNames?: string[] | null;
};

/** container.NetworkSettings as inspect shows it. */
export type NetworkSettings = {
  Bridge?: string;
  SandboxID?: string;
  SandboxKey?: string;
  HairpinMode?: boolean;
  LinkLocalIPv6Address?: string;
  LinkLocalIPv6PrefixLen?: number;
  Ports?: PortMap;
  SecondaryIPAddresses?: unknown[] | null;
  SecondaryIPv6Addresses?: unknown[] | null;
  EndpointID?: string;
  Gateway?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  IPAddress?: string;
  IPPrefixLen?: number;
  IPv6Gateway?: string;
  MacAddress?: string;
  Networks?: Record<string, EndpointSettings>;
};

type MountCommon = { Source: string; Destination: string; Mode: string; RW: boolean; Propagation: string };
/** A named or anonymous volume in Mounts[]. */
export type VolumeMountPoint = MountCommon & { Type: 'volume'; Name: string; Driver: string };
/** A bind mount or tmpfs in Mounts[]: no Name or Driver, as dockerd omits them. */
export type PathMountPoint = MountCommon & { Type: 'bind' | 'tmpfs' | 'npipe' | 'cluster'; Name?: undefined; Driver?: undefined };
/** types.MountPoint: an entry of inspect's Mounts[]. */
export type MountPoint = VolumeMountPoint | PathMountPoint;

export const isVolumeMount = (m: MountPoint): m is VolumeMountPoint => m.Type === 'volume';

export interface ContainerRecord {
  Id: string;
  /** With Docker's leading slash. */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  /** Image ID (sha256:…). */
  Image: string;
  Config: ContainerConfig;
  HostConfig: HostConfig;
  State: ContainerState;
  NetworkSettings: NetworkSettings;
  Mounts: MountPoint[];
  LogPath: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  /** Bumped each start; an exit seen for an older generation is ignored. */
  generation: number;
  /** NetworkingConfig.EndpointsConfig from create, applied at start. */
  endpointsConfig: Record<string, EndpointSettings>;
  /** Set when `docker stop`/`kill` asked for the exit: a restart policy then leaves it down. */
  manuallyStopped: boolean;
}
