import type { ContainerConfig, PublishedPortMap } from '../common/docker-types/container-config.js';
import type { HostConfig } from '../common/docker-types/host-config.js';

// What the daemon answers, as the CLI reads it: Docker Engine API field names, only the fields
// berth's client looks at typed (the rest pass through to `inspect` and templates untouched).
// Docker's container documents (Config, HostConfig, ports) come from common/docker-types, which
// the engine uses too; the rest is the client's own view of the wire.

/** A filters query, docker's `{"key":{"value":true}}`. */
export type Filters = Record<string, Record<string, boolean>>;

/** One line of a JSON message stream (pull, push, load, build, upgrade). */
export interface JsonProgress {
  current?: number;
  total?: number;
  start?: number;
  units?: string;
  hidecounts?: boolean;
}

export interface JsonMessage {
  status?: string;
  id?: string;
  from?: string;
  stream?: string;
  /** The server's preformatted bar (deprecated), shown when there is no progressDetail. */
  progress?: string;
  progressDetail?: JsonProgress;
  time?: number;
  timeNano?: number;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: unknown;
}

export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface MountPoint {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination?: string;
  Driver?: string;
  Mode?: string;
  RW?: boolean;
}

/** GET /containers/json */
export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created: number;
  Ports?: PortSummary[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  Mounts?: MountPoint[] | null;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  Paused?: boolean;
  Restarting?: boolean;
  ExitCode?: number;
  Health?: { Status?: string } | null;
}

export type { PublishedPortMap as PortMap } from '../common/docker-types/container-config.js';

/** GET /containers/{id}/json */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Image: string;
  State: ContainerState;
  Config?: Partial<ContainerConfig> | null;
  HostConfig?: HostConfig | null;
  NetworkSettings?: { Ports?: PublishedPortMap | null } | null;
  [field: string]: unknown;
}

export interface CreateResponse {
  Id: string;
  Warnings?: string[] | null;
}

export interface WaitResponse {
  StatusCode?: number;
  Error?: { Message?: string } | null;
}

export interface TopResponse {
  Titles: string[];
  Processes: string[][] | null;
}

export interface UpdateResponse {
  Warnings?: string[] | null;
}

export interface ContainerChange {
  Path: string;
  Kind: number;
}

export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** One GET /containers/{id}/stats sample; every part may be missing (a stopped container's is empty). */
export interface StatsSample {
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }> | null;
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  pids_stats?: { current?: number };
  read?: string;
}

export interface ExecInspect {
  ExitCode?: number | null;
  Running?: boolean;
}

/** GET /images/json */
export interface ImageSummary {
  Id: string;
  Created: number;
  Size: number;
  Containers: number;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
}

/** GET /images/{name}/json */
export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  RootFS?: { Type?: string; Layers?: string[] | null };
  [field: string]: unknown;
}

export interface ImageHistoryItem {
  Id: string;
  Created: number;
  CreatedBy?: string;
  Size: number;
  Comment?: string;
}

export interface ImageDeleteItem {
  Untagged?: string;
  Deleted?: string;
}

export interface Volume {
  Name: string;
  Driver: string;
  Mountpoint?: string;
  Scope?: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  CreatedAt?: string;
  UsageData?: { Size: number; RefCount: number } | null;
  [field: string]: unknown;
}

export interface VolumeList {
  Volumes?: Volume[] | null;
  Warnings?: string[] | null;
}

export interface NetworkSummary {
  Id: string;
  Name: string;
  Driver?: string;
  Scope?: string;
  Created: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
  [field: string]: unknown;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning?: string;
}

/** Every prune answers with its own list of what went, and the space it gave back. */
export interface PruneReport {
  ContainersDeleted?: string[] | null;
  NetworksDeleted?: string[] | null;
  VolumesDeleted?: string[] | null;
  ImagesDeleted?: ImageDeleteItem[] | null;
  CachesDeleted?: string[] | null;
  SpaceReclaimed?: number;
}

export interface VersionComponent {
  Name: string;
  Version?: string;
  Details?: Record<string, string>;
}

/** GET /version */
export interface SystemVersion {
  Platform?: { Name?: string };
  Components?: VersionComponent[];
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  GoVersion?: string;
  GitCommit?: string;
  BuildTime?: string;
  Os?: string;
  Arch?: string;
  [field: string]: unknown;
}

/** GET /info */
export interface SystemInfo {
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  ServerVersion?: string;
  Driver?: string;
  DriverStatus?: [string, string][] | null;
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  Plugins?: { Volume?: string[] | null; Network?: string[] | null; Log?: string[] | null };
  Swarm?: { LocalNodeState?: string };
  Runtimes?: Record<string, unknown>;
  DefaultRuntime?: string;
  InitBinary?: string;
  SecurityOptions?: string[] | null;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal: number;
  Name?: string;
  ID?: string;
  DockerRootDir?: string;
  Debug?: boolean;
  ExperimentalBuild?: boolean;
  RegistryConfig?: { InsecureRegistryCIDRs?: string[] | null; Mirrors?: string[] | null };
  LiveRestoreEnabled?: boolean;
  [field: string]: unknown;
}

export interface BuildCacheRecord {
  ID: string;
  Type: string;
  Size: number;
  CreatedAt: string;
  LastUsedAt?: string | null;
  UsageCount: number;
  InUse?: boolean;
  Shared?: boolean;
}

/** GET /system/df; -1 is docker's "not computed" for a size or count. */
export interface DiskUsage {
  LayersSize?: number;
  Images?: (ImageSummary & { SharedSize: number })[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: Volume[] | null;
  BuildCache?: BuildCacheRecord[] | null;
}

export interface AuthResponse {
  Status?: string;
  IdentityToken?: string;
}

/** berth's extensions (/berth/v1/...). */
export interface Revision {
  Revision: number;
  State: string;
  ContainerID: string;
  Name: string;
  Image: string;
  ImageID: string;
  RepoDigest: string;
  Created: string;
  Ended: string;
  Reason: string;
  Logs: string;
  [field: string]: unknown;
}

/** A line of an upgrade's or rollback's stream; the last one carries the outcome. */
export interface UpgradeMessage extends JsonMessage {
  result?: string;
  revision?: number;
  reason?: string;
}

export interface BackupFile {
  Path: string;
  Container: string;
  Created: string;
  Size: number;
}

export type { RestoreResult } from '../common/restore-result.js';

export interface ConsoleToken {
  Link: string;
  Expires: string;
}
