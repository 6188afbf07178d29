// In-memory fakes of the container service's ports (runtime, rootfs, network, store, images,
// events, timers), so ContainerService is unit-tested without crun, overlayfs or nftables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { silentLogger } from '../../../common/logger.js';
import { BerthPaths } from '../../../common/paths.js';
import type { EventInput, EventSink } from '../../events/event-bus.js';
import type { OciSpec } from '../../runtime/oci-spec.js';
import type { ContainerServiceDeps } from '../container-context.js';
import type { ContainerRecord } from '../container-model.js';
import type {
  ContainerNetworkRequest,
  ContainerNetworkSetup,
  ContainerNetworking,
  ContainerRootfs,
  ContainerRuntimeDriver,
  ContainerStore,
  ExecHandle,
  ExitResult,
  ImageLookup,
  RestartTimers,
  RuntimeAttach,
} from '../ports.js';

type Verb = 'create' | 'start' | 'kill' | 'pause' | 'resume' | 'delete' | 'state' | 'attach' | 'update';

interface FakeProcess {
  status: 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
  exit: Promise<ExitResult>;
  resolve: (r: ExitResult) => void;
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGUSR1: 10, SIGHUP: 1 };

/**
 * A runtime whose processes are promises: `exit(id, code)` ends one as if it exited by itself;
 * kill with a signal in `deadlySignals` ends it with 128+n. `failNext(verb, err)` makes the
 * next call of a verb fail.
 */
export class FakeRuntime implements ContainerRuntimeDriver {
  readonly procs = new Map<string, FakeProcess>();
  readonly calls: string[] = [];
  readonly signals: { id: string; signal: string | number }[] = [];
  /** Signals the fake processes die of (a process that ignores SIGTERM: remove 15). */
  deadlySignals = new Set([2, 9, 15]);
  private readonly failures = new Map<Verb, Error>();
  private nextPid = 1000;

  failNext(verb: Verb, err: Error): void {
    this.failures.set(verb, err);
  }

  private call(verb: Verb, id: string): void {
    this.calls.push(`${verb} ${id.slice(0, 12)}`);
    const err = this.failures.get(verb);
    if (err) {
      this.failures.delete(verb);
      throw err;
    }
  }

  /** Ends a running process with `code`, as if it exited by itself. */
  exit(id: string, code: number, o: { oomKilled?: boolean } = {}): void {
    const p = this.procs.get(id);
    if (!p || p.status === 'stopped') return;
    p.status = 'stopped';
    p.resolve({ exitCode: code, oomKilled: !!o.oomKilled, finishedAt: new Date() });
  }

  /** Forgets a container's process as a reboot does (no state, no exit file). */
  lose(id: string): void {
    this.procs.delete(id);
  }

  async create(o: { id: string }): Promise<{ pid: number }> {
    this.call('create', o.id);
    let resolve!: (r: ExitResult) => void;
    const exit = new Promise<ExitResult>((r) => (resolve = r));
    const pid = this.nextPid++;
    this.procs.set(o.id, { status: 'created', pid, exit, resolve });
    return { pid };
  }

  async start(id: string): Promise<void> {
    this.call('start', id);
    this.proc(id).status = 'running';
  }

  async kill(id: string, signal: number | string): Promise<void> {
    this.call('kill', id);
    this.signals.push({ id, signal });
    const p = this.proc(id);
    if (p.status === 'stopped') throw new Error('No such process');
    const n = typeof signal === 'number' ? signal : (SIGNALS[signal] ?? 0);
    if (this.deadlySignals.has(n)) this.exit(id, 128 + n);
  }

  async pause(id: string): Promise<void> {
    this.call('pause', id);
    this.proc(id).status = 'paused';
  }

  async resume(id: string): Promise<void> {
    this.call('resume', id);
    this.proc(id).status = 'running';
  }

  async delete(id: string): Promise<void> {
    this.call('delete', id);
    this.procs.delete(id);
  }

  async state(id: string): Promise<{ status: string; pid: number } | null> {
    this.call('state', id);
    const p = this.procs.get(id);
    return p ? { status: p.status, pid: p.pid } : null;
  }

  waitExit(id: string): Promise<ExitResult> {
    const p = this.procs.get(id);
    return p ? p.exit : Promise.reject(new Error(`no exit file for ${id}`));
  }

  async attach(id: string): Promise<RuntimeAttach> {
    this.call('attach', id);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    return { stdout, stderr, stdin: null, closeStdin: () => undefined, close: () => stdout.end(), done: Promise.resolve() };
  }

  async resize(): Promise<void> {}

  async update(id: string): Promise<void> {
    this.call('update', id);
  }

  async exec(): Promise<ExecHandle> {
    throw new Error('exec is not faked');
  }

  private proc(id: string): FakeProcess {
    const p = this.procs.get(id);
    if (!p) throw new Error(`container ${id} does not exist`);
    return p;
  }
}

export class FakeRootfs implements ContainerRootfs {
  readonly layers = new Set<string>();
  readonly mounted = new Set<string>();
  failMount?: Error;

  constructor(private readonly root: string) {}

  async createContainerLayer(id: string): Promise<void> {
    this.layers.add(id);
  }
  async mountContainerLayer(id: string): Promise<string> {
    if (this.failMount) throw this.failMount;
    this.mounted.add(id);
    return join(this.root, id, 'merged');
  }
  async unmountContainerLayer(id: string): Promise<void> {
    this.mounted.delete(id);
  }
  async removeContainerLayer(id: string): Promise<void> {
    this.layers.delete(id);
  }
}

export class FakeNetworking implements ContainerNetworking {
  readonly sandboxes = new Set<string>();
  failSetup?: Error;

  async setupContainer(c: ContainerNetworkRequest): Promise<ContainerNetworkSetup> {
    if (this.failSetup) throw this.failSetup;
    this.sandboxes.add(c.id);
    return { settings: { Networks: { bridge: { IPAddress: '10.9.0.2' } } }, hostsFile: '127.0.0.1\tlocalhost\n', resolvConf: 'nameserver 10.9.0.1\n' };
  }
  async teardownContainer(id: string): Promise<void> {
    this.sandboxes.delete(id);
  }
  idleSettings(c: ContainerNetworkRequest) {
    return { Networks: Object.fromEntries(Object.keys(c.networks).map((n) => [n, { IPAddress: '' }])) };
  }
  resolvConfFor(): string | undefined {
    return undefined;
  }
}

/** Keeps records as JSON, as the SQLite store does, so a second service sees what the first saved. */
export class FakeStore implements ContainerStore<ContainerRecord> {
  readonly docs = new Map<string, string>();

  insert(c: ContainerRecord): void {
    this.docs.set(c.Id, JSON.stringify(c));
  }
  save(c: ContainerRecord): void {
    this.docs.set(c.Id, JSON.stringify(c));
  }
  remove(id: string): void {
    this.docs.delete(id);
  }
  all(): ContainerRecord[] {
    return [...this.docs.values()].map((d) => JSON.parse(d) as ContainerRecord);
  }
  recordImageRun(): void {}
  imageHistory(): { imageId: string; imageRef: string; firstRun: string }[] {
    return [];
  }
  /** The stored record. */
  get(id: string): ContainerRecord | undefined {
    const d = this.docs.get(id);
    return d ? (JSON.parse(d) as ContainerRecord) : undefined;
  }
}

export const fakeImages: ImageLookup = {
  getImage: (ref) => {
    if (ref.startsWith('missing')) throw Object.assign(new Error(`No such image: ${ref}`), { status: 404 });
    return { id: 'sha256:' + 'a'.repeat(64), config: { config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, os: 'linux' }, repoTags: ['busybox:latest'] };
  },
};

export class FakeEvents implements EventSink {
  readonly seen: EventInput[] = [];
  emit(e: EventInput): void {
    this.seen.push(e);
  }
  /** The actions seen for one container, in order. */
  actions(id: string): string[] {
    return this.seen.filter((e) => e.Actor.ID === id).map((e) => e.Action);
  }
}

/** Timers fired by hand: `delays` lists what was asked for, `fireNext()` runs the oldest pending one. */
export class FakeTimers implements RestartTimers {
  readonly delays: number[] = [];
  private readonly pending = new Map<number, () => void>();
  private next = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  }
  clearTimeout(t: unknown): void {
    this.pending.delete(t as number);
  }
  get count(): number {
    return this.pending.size;
  }
  fireNext(): void {
    const [id, fn] = this.pending.entries().next().value ?? [];
    if (id === undefined || !fn) throw new Error('no timer pending');
    this.pending.delete(id);
    fn();
  }
}

export interface FakeWorld {
  deps: ContainerServiceDeps;
  runtime: FakeRuntime;
  rootfs: FakeRootfs;
  networks: FakeNetworking;
  store: FakeStore;
  events: FakeEvents;
  timers: FakeTimers;
  cleanup(): void;
}

/** All the fakes wired into deps, with data and run dirs in a scratch directory. */
export function fakeWorld(o: { store?: FakeStore; root?: string } = {}): FakeWorld {
  const root = o.root ?? mkdtempSync(join(tmpdir(), 'berth-ctr-'));
  const runtime = new FakeRuntime();
  const rootfs = new FakeRootfs(root);
  const networks = new FakeNetworking();
  const store = o.store ?? new FakeStore();
  const events = new FakeEvents();
  const timers = new FakeTimers();
  const deps: ContainerServiceDeps = {
    repo: store,
    images: fakeImages,
    rootfs,
    networks,
    runtime,
    buildSpec: () => ({ ociVersion: '1.0.2' }) as OciSpec,
    paths: new BerthPaths(join(root, 'data'), join(root, 'run')),
    events,
    logger: silentLogger,
    logDriver: 'json-file',
    defaultRuntime: 'crun',
    runtimeNames: ['crun'],
    timers,
  };
  return { deps, runtime, rootfs, networks, store, events, timers, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
