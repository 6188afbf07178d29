import type { FilterArgs } from '../../common/filters.js';
import type { CreateRequest, WaitCondition } from '../../engine/containers/container-service.js';
import type { ExecService } from '../../engine/containers/exec-service.js';
import type { ContainerPruneReport } from '../../engine/containers/container-prune.js';
import type { ContainerInspect, ContainerListOptions, ContainerSummary } from '../../engine/containers/container-queries.js';
import type { LogRequest, LogStream } from '../../engine/containers/log-stream.js';
import type { StatsRequest } from '../../engine/containers/stats-stream.js';
import type { LogEntry, RuntimeAttach } from '../../engine/containers/ports.js';

// What the container routes call, as small interfaces (moby's router/container/backend.go): each
// route group sees only its part; the daemon maps the engine's services onto them.

/** ps, inspect, top, logs, stats: reading a container. */
export interface ContainerMonitorBackend {
  list(o: ContainerListOptions): Promise<ContainerSummary[]>;
  inspect(ref: string, o: { size: boolean }): Promise<ContainerInspect>;
  top(ref: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  /** Checks the request and looks the container up before returning; the lines come lazily. */
  logs(ref: string, q: LogRequest): LogStream;
  /** Looks the container up before returning; the samples come lazily. */
  stats(ref: string, o: StatsRequest): AsyncIterable<Record<string, unknown>>;
}

export interface WaitResult {
  StatusCode: number;
  Error: { Message: string } | null;
}

/** create, the state verbs, update, rename, remove, prune. */
export interface ContainerStateBackend {
  create(req: CreateRequest): Promise<{ Id: string; Warnings: string[] }>;
  start(ref: string): Promise<void>;
  stop(ref: string, o: { timeout?: number; signal?: string }): Promise<void>;
  restart(ref: string, o: { timeout?: number; signal?: string }): Promise<void>;
  kill(ref: string, signal: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  resize(ref: string, height: number, width: number): Promise<void>;
  update(ref: string, body: Record<string, unknown>): Promise<{ Warnings: string[] }>;
  rename(ref: string, name: string): void;
  /** Looks the container up at once (a missing one throws here); `result` settles on the condition. */
  wait(ref: string, condition: WaitCondition): { result: Promise<WaitResult> };
  remove(ref: string, o: { force: boolean; volumes: boolean }): Promise<void>;
  /** Fails with NotFound when no container has the name. */
  assertExists(ref: string): void;
  removeLink(name: string): void;
  prune(filters: FilterArgs): Promise<ContainerPruneReport>;
}

/** POST /containers/{name}/attach and its WebSocket form. */
export interface ContainerAttachBackend {
  /** Looks the container up: its id and whether it has a TTY (which decides the framing). */
  attachTarget(ref: string): { id: string; tty: boolean };
  /** Every line logged so far (`logs=1`). */
  attachLogs(id: string): AsyncIterable<LogEntry>;
  attach(id: string, o: { stdin: boolean }): Promise<RuntimeAttach>;
  /** The client went away before the attach was handed over. */
  cancelPendingAttach(id: string): void;
}

export type ExecBackend = Pick<ExecService, 'create' | 'prepareStart' | 'start' | 'resize' | 'inspect'>;

/** Everything the container and exec routes need. */
export interface ContainersBackend {
  containers: ContainerMonitorBackend & ContainerStateBackend & ContainerAttachBackend;
  exec: ExecBackend;
  /** "1" or "2": some old-client defaults depend on the host's cgroup version. */
  cgroupVersion?(): string;
}
