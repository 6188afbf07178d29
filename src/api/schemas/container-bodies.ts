import { decoder } from './decode.js';
import { bool, int, map, set, slice, str, strSlice, struct, uint, type Infer } from './go-types.js';

// The container bodies as moby's api/types/container declares them (field names and Go types).

const strings = () => slice(str());
const stringMap = () => map(str());

const healthConfig = struct('container.HealthConfig', {
  Test: strings(),
  Interval: int('int64'),
  Timeout: int('int64'),
  StartPeriod: int('int64'),
  StartInterval: int('int64'),
  Retries: int('int'),
});

/** container.Config: the image-independent part of a container (create, commit). */
const configFields = {
  Hostname: str(),
  Domainname: str(),
  User: str(),
  AttachStdin: bool(),
  AttachStdout: bool(),
  AttachStderr: bool(),
  ExposedPorts: set('nat.PortSet'),
  Tty: bool(),
  OpenStdin: bool(),
  StdinOnce: bool(),
  Env: strings(),
  Cmd: strSlice(),
  Healthcheck: healthConfig,
  ArgsEscaped: bool(),
  Image: str(),
  Volumes: set('map[string]struct {}'),
  WorkingDir: str(),
  Entrypoint: strSlice(),
  NetworkDisabled: bool(),
  MacAddress: str(),
  OnBuild: strings(),
  Labels: stringMap(),
  StopSignal: str(),
  StopTimeout: int('int'),
  Shell: strSlice(),
};
export const containerConfig = struct('container.Config', configFields);

const weightDevice = struct('blkiodev.WeightDevice', { Path: str(), Weight: uint('uint16') });
const throttleDevice = struct('blkiodev.ThrottleDevice', { Path: str(), Rate: uint('uint64') });
const ulimit = struct('units.Ulimit', { Name: str(), Hard: int('int64'), Soft: int('int64') });

/** container.Resources: embedded in HostConfig and UpdateConfig, so its fields are theirs. */
const resourceFields = {
  CpuShares: int('int64'),
  Memory: int('int64'),
  NanoCpus: int('int64'),
  CgroupParent: str(),
  BlkioWeight: uint('uint16'),
  BlkioWeightDevice: slice(weightDevice, { go: '[]*blkiodev.WeightDevice' }),
  BlkioDeviceReadBps: slice(throttleDevice, { go: '[]*blkiodev.ThrottleDevice' }),
  BlkioDeviceWriteBps: slice(throttleDevice, { go: '[]*blkiodev.ThrottleDevice' }),
  BlkioDeviceReadIOps: slice(throttleDevice, { go: '[]*blkiodev.ThrottleDevice' }),
  BlkioDeviceWriteIOps: slice(throttleDevice, { go: '[]*blkiodev.ThrottleDevice' }),
  CpuPeriod: int('int64'),
  CpuQuota: int('int64'),
  CpuRealtimePeriod: int('int64'),
  CpuRealtimeRuntime: int('int64'),
  CpusetCpus: str(),
  CpusetMems: str(),
  Devices: slice(struct('container.DeviceMapping', { PathOnHost: str(), PathInContainer: str(), CgroupPermissions: str() })),
  DeviceCgroupRules: strings(),
  DeviceRequests: slice(
    struct('container.DeviceRequest', { Driver: str(), Count: int('int'), DeviceIDs: strings(), Capabilities: slice(strings()), Options: stringMap() }),
  ),
  KernelMemory: int('int64'),
  KernelMemoryTCP: int('int64'),
  MemoryReservation: int('int64'),
  MemorySwap: int('int64'),
  MemorySwappiness: int('int64'),
  OomKillDisable: bool(),
  PidsLimit: int('int64'),
  Ulimits: slice(ulimit, { go: '[]*units.Ulimit' }),
  CpuCount: int('int64'),
  CpuPercent: int('int64'),
  IOMaximumIOps: uint('uint64'),
  IOMaximumBandwidth: uint('uint64'),
};

const restartPolicy = struct('container.RestartPolicy', { Name: str('container.RestartPolicyMode'), MaximumRetryCount: int('int') });

const mount = struct('mount.Mount', {
  Type: str('mount.Type'),
  Source: str(),
  Target: str(),
  ReadOnly: bool(),
  Consistency: str('mount.Consistency'),
  BindOptions: struct('mount.BindOptions', {
    Propagation: str('mount.Propagation'),
    NonRecursive: bool(),
    CreateMountpoint: bool(),
    ReadOnlyNonRecursive: bool(),
    ReadOnlyForceRecursive: bool(),
  }),
  VolumeOptions: struct('mount.VolumeOptions', {
    NoCopy: bool(),
    Labels: stringMap(),
    Subpath: str(),
    DriverConfig: struct('mount.Driver', { Name: str(), Options: stringMap() }),
  }),
  ImageOptions: struct('mount.ImageOptions', { Subpath: str() }),
  TmpfsOptions: struct('mount.TmpfsOptions', { SizeBytes: int('int64'), Mode: uint('os.FileMode'), Options: slice(strings()) }),
});

const portBinding = struct('nat.PortBinding', { HostIp: str(), HostPort: str() });

export const hostConfig = struct('container.HostConfig', {
  Binds: strings(),
  ContainerIDFile: str(),
  LogConfig: struct('container.LogConfig', { Type: str(), Config: stringMap() }),
  NetworkMode: str('container.NetworkMode'),
  PortBindings: map(slice(portBinding, { go: '[]nat.PortBinding' }), { go: 'nat.PortMap' }),
  RestartPolicy: restartPolicy,
  AutoRemove: bool(),
  VolumeDriver: str(),
  VolumesFrom: strings(),
  ConsoleSize: slice(uint('uint'), { go: '[2]uint', maxItems: 16 }),
  Annotations: stringMap(),
  CapAdd: strSlice(),
  CapDrop: strSlice(),
  CgroupnsMode: str('container.CgroupnsMode'),
  Dns: strings(),
  DnsOptions: strings(),
  DnsSearch: strings(),
  ExtraHosts: strings(),
  GroupAdd: strings(),
  IpcMode: str('container.IpcMode'),
  Cgroup: str('container.CgroupSpec'),
  Links: strings(),
  OomScoreAdj: int('int'),
  PidMode: str('container.PidMode'),
  Privileged: bool(),
  PublishAllPorts: bool(),
  ReadonlyRootfs: bool(),
  SecurityOpt: strings(),
  StorageOpt: stringMap(),
  Tmpfs: stringMap(),
  UTSMode: str('container.UTSMode'),
  UsernsMode: str('container.UsernsMode'),
  ShmSize: int('int64'),
  Sysctls: stringMap(),
  Runtime: str(),
  Isolation: str('container.Isolation'),
  ...resourceFields,
  Mounts: slice(mount),
  MaskedPaths: strings(),
  ReadonlyPaths: strings(),
  Init: bool(),
});

export const endpointSettings = struct('network.EndpointSettings', {
  IPAMConfig: struct('network.EndpointIPAMConfig', { IPv4Address: str(), IPv6Address: str(), LinkLocalIPs: strings() }),
  Links: strings(),
  Aliases: strings(),
  DriverOpts: stringMap(),
  GwPriority: int('int'),
  NetworkID: str(),
  EndpointID: str(),
  Gateway: str(),
  IPAddress: str(),
  IPPrefixLen: int('int'),
  IPv6Gateway: str(),
  GlobalIPv6Address: str(),
  GlobalIPv6PrefixLen: int('int'),
  MacAddress: str(),
  DNSNames: strings(),
});

/**
 * A container joins a handful of networks; the bound keeps a hostile body from making the
 * per-network work of create (and every later inspect) unbounded.
 */
export const MAX_ENDPOINTS = 256;

/** POST /containers/create: Config with HostConfig and NetworkingConfig beside it. */
export const createBody = struct('runconfig.ContainerConfigWrapper', {
  ...configFields,
  HostConfig: hostConfig,
  NetworkingConfig: struct('network.NetworkingConfig', {
    EndpointsConfig: map(endpointSettings, { go: 'map[string]*network.EndpointSettings', maxEntries: MAX_ENDPOINTS }),
  }),
});
export type CreateBody = Infer<typeof createBody>;
export const decodeCreateBody = decoder(createBody);

/** POST /containers/{id}/update. */
export const updateBody = struct('container.UpdateConfig', { ...resourceFields, RestartPolicy: restartPolicy });
export type UpdateBody = Infer<typeof updateBody>;
export const decodeUpdateBody = decoder(updateBody);

/** POST /containers/{id}/exec. */
export const execCreateBody = struct('types.ExecConfig', {
  User: str(),
  Privileged: bool(),
  Tty: bool(),
  ConsoleSize: slice(uint('uint'), { go: '*[2]uint', maxItems: 16 }),
  AttachStdin: bool(),
  AttachStderr: bool(),
  AttachStdout: bool(),
  Detach: bool(),
  DetachKeys: str(),
  Env: strings(),
  WorkingDir: str(),
  Cmd: strSlice(),
});
export type ExecCreateBody = Infer<typeof execCreateBody>;
export const decodeExecCreateBody = decoder(execCreateBody);

/** POST /exec/{id}/start. */
export const execStartBody = struct('types.ExecStartCheck', { Detach: bool(), Tty: bool(), ConsoleSize: slice(uint('uint'), { go: '*[2]uint', maxItems: 16 }) });
export type ExecStartBody = Infer<typeof execStartBody>;
export const decodeExecStartBody = decoder(execStartBody);

/** POST /commit: the body is a container.Config applied over the container's. */
export const decodeCommitConfig = decoder(containerConfig);

/** POST /auth. Its JSON names are lower case (`json:"serveraddress"`), unlike the other bodies. */
export const decodeAuthConfig = decoder(
  struct('registry.AuthConfig', {
    username: str(),
    password: str(),
    auth: str(),
    email: str(),
    serveraddress: str(),
    identitytoken: str(),
    registrytoken: str(),
  }),
);
