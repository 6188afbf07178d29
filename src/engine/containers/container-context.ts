// What the per-job container modules (create, start, stop, remove, restart, recovery) share: the
// service's dependencies, the containers in memory, per-container locks and exit notifications.
import { EventEmitter } from 'node:events';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { notRunning } from './container-state.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { EventSink } from '../events/event-bus.js';
import type { OciSpec } from '../runtime/oci-spec.js';
import type { ContainerRecord } from './container-model.js';
import type { HealthMonitor, HealthProbeRunner } from './health-monitor.js';
import { PendingAttaches } from './pending-attach.js';
import type {
  ContainerMounts,
  ContainerNetworking,
  ContainerRootfs,
  ContainerRuntimeDriver,
  ContainerStore,
  ExitResult,
  ImageLookup,
  RestartTimers,
} from './ports.js';
import { RestartManager } from './restart-manager.js';
import type { SpecContext } from './spec-builder.js';

export interface ContainerServiceDeps {
  repo: ContainerStore<ContainerRecord>;
  images: ImageLookup;
  rootfs: ContainerRootfs;
  networks: ContainerNetworking;
  runtime: ContainerRuntimeDriver;
  buildSpec: (c: ContainerRecord, ctx: SpecContext) => OciSpec;
  paths: BerthPaths;
  events: EventSink;
  logger: Logger;
  logDriver: string;
  defaultRuntime: string;
  /** Names of the configured OCI runtimes; a container may only name one of these. */
  runtimeNames?: string[];
  /** Volumes, bind mounts and tmpfs (the volumes engine); without it Binds/Tmpfs go to the spec builder as they are. */
  mounts?: ContainerMounts;
  /** Runs health probes; without it Healthcheck is recorded but never run. */
  healthProbe?: HealthProbeRunner;
  /** The restart manager's delays (tests fire them by hand); the real timers by default. */
  timers?: RestartTimers;
}

/** The verbs the modules call on one another (the service's own, so locks and checks apply). */
export interface ContainerOps {
  start(ref: string): Promise<void>;
  stop(ref: string, o?: { timeout?: number; signal?: string }): Promise<void>;
  remove(ref: string, o?: { force?: boolean; volumes?: boolean }): Promise<void>;
}

export const realTimers: RestartTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
};

export class ContainerContext {
  readonly byId = new Map<string, ContainerRecord>();
  /** Per-container notifications: 'exit:<id>' (with ExitResult) and 'removed:<id>'. */
  readonly signals = new EventEmitter();
  /** Serialises lifecycle operations per container. */
  readonly locks = new Map<string, Promise<unknown>>();
  /** Containers a forced remove killed ahead of its turn: a queued restart must not start them again. */
  readonly removalPending = new Set<string>();
  readonly timers: RestartTimers;
  readonly restarts: RestartManager;
  readonly attaches: PendingAttaches;
  health?: HealthMonitor;

  constructor(
    readonly d: ContainerServiceDeps,
    readonly ops: ContainerOps,
  ) {
    this.signals.setMaxListeners(0);
    this.timers = d.timers ?? realTimers;
    this.restarts = new RestartManager(this);
    this.attaches = new PendingAttaches(d.runtime);
  }

  /** Finds by full id, name (with or without slash) or unique id prefix — Docker's rules and message. */
  get(ref: string): ContainerRecord {
    const direct = this.byId.get(ref);
    if (direct) return direct;
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    for (const c of this.byId.values()) if (c.Name === name) return c;
    if (ref.length > 0 && /^[0-9a-f]+$/.test(ref)) {
      const matches = [...this.byId.values()].filter((c) => c.Id.startsWith(ref));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${ref}`);
    }
    throw new NotFoundError(`No such container: ${ref}`);
  }

  nameHolder(name: string): string | undefined {
    for (const c of this.byId.values()) if (c.Name === name) return c.Id;
    return undefined;
  }

  /** Docker's 409 for a name in use, or nothing. */
  assertNameFree(name: string): void {
    const holder = this.nameHolder(name);
    if (holder) {
      throw new ConflictError(
        `Conflict. The container name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
  }

  emit(c: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events.emit({
      Type: 'container',
      Action: action,
      Actor: { ID: c.Id, Attributes: { ...(c.Config.Labels ?? {}), image: c.Config.Image ?? '', name: c.Name.slice(1), ...extra } },
    });
  }

  locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }

  nextExit(id: string): Promise<ExitResult> {
    return new Promise((resolve) => this.signals.once(`exit:${id}`, resolve));
  }

  /** Whether the container's exit is recorded within `ms`; leaves no listener behind. */
  exitWithin(id: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.signals.off(`exit:${id}`, done);
        resolve(false);
      }, ms);
      this.signals.once(`exit:${id}`, done);
    });
  }

  /**
   * Whether a container the caller saw running has stopped: its exit may not be recorded yet (the
   * monitor reports it a moment later), so the runtime is asked too. An unknown one has stopped.
   * With `settle`, one the runtime still calls running (a process exiting this very moment) gets a
   * moment for its exit to be recorded.
   */
  async hasStopped(c: ContainerRecord, o: { settle?: boolean } = {}): Promise<boolean> {
    if (!this.byId.has(c.Id) || !c.State.Running) return true;
    const st = await this.d.runtime.state(c.Id).catch(() => null);
    if (!st || st.status === 'stopped') return true;
    if (!o.settle) return false;
    return (await this.exitWithin(c.Id, 250)) || !c.State.Running;
  }

  /**
   * A runtime verb on a running container. A container that has just exited is stopped to every
   * caller: the runtime's failure for it ("error opening file …/status", "No such process")
   * becomes Docker's 409, never a 500.
   */
  async whileRunning<T>(c: ContainerRecord, verb: () => Promise<T>, refusal = () => notRunning(c.Id)): Promise<T> {
    try {
      return await verb();
    } catch (err) {
      if (await this.hasStopped(c, { settle: true })) throw refusal();
      throw err;
    }
  }
}

/** Whether `p` settles within `ms` (a rejection counts as settled). */
export function raceTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(t);
      resolve(true);
    };
    p.then(done, done);
  });
}
