// What the container service needs from its neighbours, as narrow interfaces. The daemon wires the
// real implementations (images, snapshots, networks, runtime) behind them; tests may fake them.
import type { AttachStream, CreateOptions, ExecSession, ExitStatus } from '../runtime/conmon-runtime.js';
import type { OciMount, OciSpec } from '../runtime/oci-spec.js';
import type { ImageRuntimeConfig } from './config-merge.js';
import type { ContainerNetworkSetup as NetworkSetup } from '../networks/network-models.js';
import type { ContainerConfig, EndpointSettings, HostConfig, MountPoint, NetworkSettings, PortMap, PortSet } from './container-model.js';

export { isVolumeMount, type MountPoint, type VolumeMountPoint } from './container-model.js';

export interface ImageLookup {
  getImage(ref: string): {
    id: string;
    config: { config?: ImageRuntimeConfig; architecture?: string; os?: string; variant?: string };
    repoTags: string[];
  };
}

export interface ContainerRootfs {
  createContainerLayer(containerId: string, imageId: string): Promise<void>;
  mountContainerLayer(containerId: string, imageId: string): Promise<string>;
  unmountContainerLayer(containerId: string): Promise<void>;
  removeContainerLayer(containerId: string): Promise<void>;
}

/** A network the container asks for; IPAMConfig as the network store keeps it (no null lists). */
export type EndpointRequest = Omit<EndpointSettings, 'IPAMConfig'> & {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
};

export interface ContainerNetworkRequest {
  id: string;
  name: string;
  hostname: string;
  domainname: string;
  networkMode: string;
  networks: Record<string, EndpointRequest>;
  portBindings: PortMap;
  exposedPorts: PortSet;
  publishAll: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];
  macAddress?: string;
}

/** What networking hands back for a starting container: the networks module's result, with the
 * settings as a record keeps them (a fake may fill in only some). */
export type ContainerNetworkSetup = Omit<NetworkSetup, 'settings'> & { settings: NetworkSettings };

export interface ContainerNetworking {
  setupContainer(c: ContainerNetworkRequest): Promise<ContainerNetworkSetup>;
  teardownContainer(id: string): Promise<void>;
  /** NetworkSettings for a container that is not running (Networks without addresses). */
  idleSettings(c: ContainerNetworkRequest): NetworkSettings;
  /** The resolv.conf of a running container after a live connect/disconnect (undefined: leave it). */
  resolvConfFor(c: ContainerNetworkRequest): string | undefined;
}

/** A container's stdio as the runtime hands it over. */
export type RuntimeAttach = AttachStream;

export type ExitResult = ExitStatus;

export type ExecHandle = ExecSession;

export interface ContainerRuntimeDriver {
  create(o: CreateOptions): Promise<{ pid: number }>;
  start(id: string): Promise<void>;
  kill(id: string, signal: number | string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  delete(id: string, o: { force: boolean }): Promise<void>;
  state(id: string): Promise<{ status: string; pid: number } | null>;
  /** state() of many at once (recovery after a restart); callers fall back to state() without it. */
  states?(ids: readonly string[]): Promise<Map<string, { status: string; pid: number } | null>>;
  waitExit(id: string): Promise<ExitResult>;
  attach(id: string, o?: { stdin: boolean }): Promise<RuntimeAttach>;
  resize(id: string, height: number, width: number): Promise<void>;
  update(id: string, resources: Record<string, unknown>): Promise<void>;
  exec(
    id: string,
    execId: string,
    process: OciSpec['process'],
    o: { tty: boolean; stdin: boolean; attach: boolean },
  ): Promise<ExecHandle>;
  execResize?(id: string, execId: string, height: number, width: number): Promise<void>;
  cleanup?(id: string): Promise<void>;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  time: string;
  line: Buffer;
}

/** since/until in exact unix nanoseconds. */
export type LogReader = (
  path: string,
  o: { since?: bigint; until?: bigint; tail?: number; follow?: boolean; signal?: AbortSignal; until_stopped?: Promise<void> },
) => AsyncIterable<LogEntry>;

/** Volumes, bind mounts and tmpfs of a container (the volumes engine implements it). */
export interface ContainerMounts {
  /**
   * At create: validates Binds / Mounts / Tmpfs / VolumesFrom and the image's VOLUMEs, creates the
   * named and anonymous volumes they need, and returns the container's Mounts (inspect shape).
   */
  plan(
    c: { Id: string; Config: ContainerConfig; HostConfig: HostConfig },
    lookupContainer: (ref: string) => { Id: string; Mounts: MountPoint[]; HostConfig: HostConfig },
  ): Promise<MountPoint[]>;
  /** At start: OCI mounts for the spec; copies the image's files up into new empty volumes. */
  ociMounts(c: { Id: string; Mounts: MountPoint[]; HostConfig: HostConfig }, rootfs: string): Promise<OciMount[]>;
  /** At remove: drops the container's anonymous volumes when asked (`rm -v`). */
  release(c: { Id: string; Mounts: MountPoint[] }, removeVolumes: boolean): Promise<void>;
}

/** Where container records are kept (the store's container repository). */
export interface ContainerStore<R> {
  insert(c: R): void;
  save(c: R): void;
  remove(id: string): void;
  all(): R[];
  /** Remembers that a container named `name` ran this image (for rollback). */
  recordImageRun(name: string, imageId: string, imageRef: string, when: string): void;
  imageHistory(name: string): { imageId: string; imageRef: string; firstRun: string }[];
}

/** The timers the restart manager waits with; injectable so tests need no real delays. */
export interface RestartTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}
