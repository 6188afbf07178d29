// A container as berth remembers it: Docker's own documents (Config, HostConfig, State,
// NetworkSettings) kept as they are shown by inspect, plus berth's bookkeeping.

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

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
  Health?: { Status: string; FailingStreak: number; Log: unknown[] };
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

export interface ContainerRecord {
  Id: string;
  /** With Docker's leading slash. */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  /** Image ID (sha256:…). */
  Image: string;
  Config: Record<string, any>;
  HostConfig: Record<string, any>;
  State: ContainerState;
  NetworkSettings: Record<string, any>;
  Mounts: any[];
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
  endpointsConfig: Record<string, any>;
  /** Set when `docker stop`/`kill` asked for the exit: a restart policy then leaves it down. */
  manuallyStopped: boolean;
}

// TODO typed
export type NetworkSettings = Record<string, any>;
export type EndpointSettings = Record<string, any>;
