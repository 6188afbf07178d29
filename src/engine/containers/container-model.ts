import type { ContainerConfig } from '../../common/docker-types/container-config.js';
import type { HostConfig } from '../../common/docker-types/host-config.js';
import type {
  EndpointSettings as DockerEndpointSettings,
  NetworkSettings as DockerNetworkSettings,
} from '../../common/docker-types/network-settings.js';

// A container as berth remembers it: Docker's own documents (Config, HostConfig, State,
// NetworkSettings, Mounts) kept as they are shown by inspect, plus berth's bookkeeping. The wire
// types themselves live in common/docker-types (the client and CLI share them); a field is optional
// where Docker may leave it out. They are type aliases, not interfaces, so a document passes
// wherever a plain JSON object is expected.
export type { ContainerConfig, HealthConfig, PortBinding, PortMap, PortSet } from '../../common/docker-types/container-config.js';
export type {
  DeviceMapping,
  HostConfig,
  LogConfig,
  MountRequest,
  Resources,
  RestartPolicy,
  ThrottleDevice,
  Ulimit,
  WeightDevice,
} from '../../common/docker-types/host-config.js';
export type { EndpointIPAMConfig } from '../../common/docker-types/network-settings.js';

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

/** network.EndpointSettings as a container record keeps it: what create or connect sent, and the
 * live values once connected. */
export type EndpointSettings = Partial<DockerEndpointSettings>;

/** container.NetworkSettings as a record keeps it; a container never started has only some of it. */
export type NetworkSettings = Partial<Omit<DockerNetworkSettings, 'Networks'>> & { Networks?: Record<string, EndpointSettings> };

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
