import { stepTimer } from '../../common/step-timer.js';
import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  NotModifiedError,
  SystemError,
  errorMessage,
} from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { ContainerRepository } from '../../store/container-repository.js';
import type { EventSink } from '../events/event-bus.js';
import type { OciSpec } from '../runtime/oci-spec.js';
import { RuntimeError, isDirectoryExec, startFailureExitCode } from '../runtime/runtime-errors.js';
import { mergeImageConfig, validateContainerName } from './config-merge.js';
import { initialState, type ContainerRecord, ZERO_TIME } from './container-model.js';
import { HealthMonitor, type HealthProbeRunner } from './health-monitor.js';
import { logPolicy } from './log-policy.js';
import { healthOnFailure } from './health-action.js';
import { nextRestartDelay, ranFor } from './restart-backoff.js';
import { startOrder } from './restart-order.js';
import { linkSetup, normaliseLinks, removeLink, withLinkHosts } from './links.js';
import { generateName } from './name-generator.js';
import type {
  ContainerNetworkRequest,
  ContainerNetworking,
  ContainerRootfs,
  ContainerMounts,
  ContainerRuntimeDriver,
  ExitResult,
  ImageLookup,
  RuntimeAttach,
} from './ports.js';
import { signalNumber } from './signals.js';
import type { SpecContext } from './spec-builder.js';

export interface ContainerServiceDeps {
  repo: ContainerRepository<ContainerRecord>;
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
}

export interface CreateRequest {
  name?: string;
  body: Record<string, any>;
  platform?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** How many containers berthd's restart recovers at once. */
const RECOVER_CONCURRENCY = 16;

/**
 * The container state machine: create, start, stop, kill, wait, remove, pause, rename, restart
 * policies and recovery after a daemon restart. It decides; the runtime, rootfs and network
 * providers act; the repository remembers.
 */
export class ContainerService {
  private readonly byId = new Map<string, ContainerRecord>();
  /** Per-container notifications: 'exit' (with ExitResult) and 'removed'. */
  private readonly signals = new EventEmitter();
  /** Attach requests that arrived before start; connected between runtime create and start. */
  private readonly pendingAttach = new Map<string, ((a: RuntimeAttach | Error) => void)[]>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Serialises lifecycle operations per container. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Containers a forced remove killed ahead of its turn: a queued restart must not start them again. */
  private readonly removalPending = new Set<string>();

  private readonly health?: HealthMonitor;
  /** lifecycle: containers --health-on-failure=restart killed: their next exit restarts them whatever the policy. */
  private readonly healthRestarts = new Set<string>();
  /** lifecycle: the last restart delay per container, for Docker's doubling back-off. */
  private readonly restartDelays = new Map<string, number>();
  /** lifecycle: during recovery, restarts are collected here and made in dependency order. */
  private deferredRestarts?: ContainerRecord[];

  constructor(private readonly d: ContainerServiceDeps) {
    this.signals.setMaxListeners(0);
    if (d.healthProbe) {
      this.health = new HealthMonitor(d.healthProbe, (c, statusChanged) => {
        if (!this.byId.has(c.Id)) return;
        this.d.repo.save(c);
        if (statusChanged) this.emit(c, `health_status: ${c.State.Health!.Status}`);
        if (statusChanged && c.State.Health!.Status === 'unhealthy') this.actOnUnhealthy(c); // lifecycle
      });
    }
    for (const c of d.repo.all()) this.byId.set(c.Id, c);
  }

  // ---------------------------------------------------------------- lookup

  list(): ContainerRecord[] {
    return [...this.byId.values()].sort((a, b) => (a.Created < b.Created ? 1 : -1));
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

  isImageUsed(imageId: string): ContainerRecord | undefined {
    for (const c of this.byId.values()) if (c.Image === imageId) return c;
    return undefined;
  }

  counts(): { containers: number; running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    for (const c of this.byId.values()) {
      if (c.State.Paused) paused++;
      else if (c.State.Running) running++;
    }
    return { containers: this.byId.size, running, paused, stopped: this.byId.size - running - paused };
  }

  imageHistory(name: string) {
    return this.d.repo.imageHistory(name);
  }

  // ---------------------------------------------------------------- create

  async create(req: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    const body = req.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    if (!body.Image || typeof body.Image !== 'string') throw new InvalidArgumentError('No image was specified');
    const hostConfig = normaliseHostConfig(body.HostConfig ?? {}, this.d.logDriver);
    // docker-py sends `runtime=` as a top-level Runtime key; dockerd fills in its default runtime.
    hostConfig.Runtime ||= typeof body.Runtime === 'string' && body.Runtime ? body.Runtime : this.d.defaultRuntime;
    if (this.d.runtimeNames && !this.d.runtimeNames.includes(hostConfig.Runtime)) {
      throw new InvalidArgumentError(`Unknown runtime specified ${hostConfig.Runtime}`);
    }
    const name = req.name ? validateContainerName(req.name) : `/${generateName((n) => this.nameTaken(`/${n}`))}`;
    const holder = this.nameHolder(name);
    if (holder) {
      throw new ConflictError(
        `Conflict. The container name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    hostConfig.Links = normaliseLinks(hostConfig.Links, name, hostConfig.NetworkMode, (r) => this.get(r)); // links (marked edit: networking)
    const image = this.d.images.getImage(body.Image);
    const { HostConfig: _h, NetworkingConfig, ...userConfig } = body;
    const id = newId();
    const config = mergeImageConfig(userConfig, image.config.config ?? {});
    config.Image = body.Image;
    // networking (marked edit): a container on the host's network has the host's name, as in Docker.
    config.Hostname ||= hostConfig.NetworkMode === 'host' ? hostname() : id.slice(0, 12);
    config.Domainname ??= '';
    config.User ??= '';
    config.AttachStdin ??= false;
    config.AttachStdout ??= false;
    config.AttachStderr ??= false;
    config.Tty ??= false;
    config.OpenStdin ??= false;
    config.StdinOnce ??= false;
    config.WorkingDir ??= '';
    config.Entrypoint ??= null;
    config.OnBuild ??= null;
    const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    const dir = this.d.paths.containerDir(id);
    const c: ContainerRecord = {
      Id: id,
      Name: name,
      Created: new Date().toISOString(),
      Path: argv[0] ?? '',
      Args: argv.slice(1),
      Image: image.id,
      Config: config,
      HostConfig: hostConfig,
      State: initialState(),
      NetworkSettings: {},
      Mounts: [],
      LogPath: join(dir, 'ctr.log'),
      ResolvConfPath: join(dir, 'resolv.conf'),
      HostnamePath: join(dir, 'hostname'),
      HostsPath: join(dir, 'hosts'),
      RestartCount: 0,
      Driver: 'overlay2',
      Platform: image.config.os ?? 'linux',
      generation: 0,
      endpointsConfig: primaryEndpoints(hostConfig.NetworkMode, NetworkingConfig?.EndpointsConfig),
      manuallyStopped: false,
    };
    const steps = stepTimer(this.d.logger, 'create', id);
    c.NetworkSettings = this.d.networks.idleSettings(this.networkRequest(c));
    if (this.d.mounts) c.Mounts = await this.d.mounts.plan(c, (ref) => this.get(ref));
    steps.mark('config+mounts');
    mkdirSync(dir, { recursive: true, mode: 0o710 });
    try {
      await this.d.rootfs.createContainerLayer(id, image.id);
      steps.mark('layer');
      this.d.repo.insert(c);
      steps.mark('store');
    } catch (err) {
      await this.d.mounts?.release(c, true).catch(() => undefined);
      await this.d.rootfs.removeContainerLayer(id).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.byId.set(id, c);
    this.emit(c, 'create');
    steps.done();
    return { Id: id, Warnings: [] };
  }

  private nameHolder(name: string): string | undefined {
    for (const c of this.byId.values()) if (c.Name === name) return c.Id;
    return undefined;
  }

  private nameTaken(name: string): boolean {
    return this.nameHolder(name) !== undefined;
  }

  // ---------------------------------------------------------------- start

  start(ref: string): Promise<void> {
    const c = this.get(ref);
    return this.locked(c.Id, () => this.startLocked(c));
  }

  private async startLocked(c: ContainerRecord): Promise<void> {
    if (c.State.Paused) throw new ConflictError('cannot start a paused container, try unpause instead');
    if (c.State.Running) throw new NotModifiedError('container already started');
    if (c.State.Status === 'removing' || this.removalPending.has(c.Id)) {
      throw new ConflictError(`container ${c.Id} is marked for removal and cannot be started`);
    }
    const timer = this.restartTimers.get(c.Id);
    if (timer) clearTimeout(timer);
    this.restartTimers.delete(c.Id);
    c.generation++;
    c.manuallyStopped = false;
    const generation = c.generation;
    let created = false;
    const steps = stepTimer(this.d.logger, 'start', c.Id);
    try {
      const image = this.d.images.getImage(c.Image);
      // Rootfs and network are independent: set both up at once, and undo both if either fails.
      const [mounted, networked] = await Promise.allSettled([
        this.d.rootfs.mountContainerLayer(c.Id, image.id),
        this.d.networks.setupContainer(this.networkRequest(c)),
      ]);
      if (mounted.status === 'rejected') throw mounted.reason;
      if (networked.status === 'rejected') throw networked.reason;
      steps.mark('rootfs+network');
      const rootfs = mounted.value;
      const net = networked.value;
      c.NetworkSettings = net.settings;
      const linked = linkSetup(c, (r) => this.get(r)); // links (marked edit: networking): env and hosts of --link targets
      writeFileSync(c.HostnamePath, `${c.Config.Hostname}\n`);
      writeFileSync(c.HostsPath, withLinkHosts(net.hostsFile, linked.hosts));
      writeFileSync(c.ResolvConfPath, net.resolvConf);
      const mounts = this.d.mounts ? await this.d.mounts.ociMounts(c, rootfs) : undefined;
      const spec = this.d.buildSpec(linked.env.length ? { ...c, Config: { ...c.Config, Env: [...linked.env, ...(c.Config.Env ?? [])] } } : c, {
        rootfs,
        mounts,
        netnsPath: net.netnsPath,
        hostnamePath: c.HostnamePath,
        hostsPath: c.HostsPath,
        resolvConfPath: c.ResolvConfPath,
      });
      steps.mark('files+spec');
      const { pid } = await this.d.runtime.create({
        id: c.Id,
        name: c.Name.slice(1),
        bundleDir: join(this.d.paths.containerDir(c.Id), 'bundle'),
        spec,
        logPath: c.LogPath,
        logDriver: c.HostConfig.LogConfig?.Type === 'none' ? 'none' : 'k8s-file', // lifecycle: `none` keeps no log
        tty: !!c.Config.Tty,
        openStdin: !!c.Config.OpenStdin,
        stdinOnce: !!c.Config.StdinOnce,
        runtime: c.HostConfig.Runtime || this.d.defaultRuntime,
      });
      created = true;
      steps.mark('runtime create');
      await this.connectPendingAttach(c);
      steps.mark('attach');
      await this.d.runtime.start(c.Id);
      steps.mark('runtime start');
      c.State = {
        ...c.State,
        Status: 'running',
        Running: true,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: pid,
        ExitCode: 0,
        Error: '',
        StartedAt: new Date().toISOString(),
        FinishedAt: c.State.FinishedAt,
      };
      this.d.repo.save(c);
      this.d.repo.recordImageRun(c.Name, c.Image, c.Config.Image, c.State.StartedAt);
      this.emit(c, 'start');
      this.watchExit(c, generation);
      this.health?.start(c);
      steps.mark('store+events');
      steps.done();
    } catch (err) {
      const message = errorMessage(err);
      this.failPendingAttach(c, err as Error);
      if (created) await this.d.runtime.delete(c.Id, { force: true }).catch(() => undefined);
      // Also when the setup itself failed: a port conflict found after the sandbox was made
      // leaves a veth behind otherwise. Teardown of what is not there is a no-op.
      await this.d.networks.teardownContainer(c.Id).catch(() => undefined);
      await this.d.rootfs.unmountContainerLayer(c.Id).catch(() => undefined);
      // Only the runtime's own failure to exec the command maps to 127/126, as in Docker.
      const code = err instanceof RuntimeError ? startFailureExitCode(message) : 128;
      this.d.logger.warn({ id: c.Id, err: message }, 'start failed');
      c.State = { ...c.State, Status: c.State.StartedAt === ZERO_TIME ? 'created' : 'exited', Running: false, Pid: 0, ExitCode: code, Error: message };
      c.NetworkSettings = this.d.networks.idleSettings(this.networkRequest(c));
      this.d.repo.save(c);
      // dockerd removes an AutoRemove container whose start failed; `wait?condition=removed` ends.
      if (c.HostConfig.AutoRemove) setImmediate(() => void this.remove(c.Id, { force: true, volumes: true }).catch(() => undefined));
      if (code === 127 || code === 126) {
        const argv = [...(c.Config.Entrypoint ?? []), ...(c.Config.Cmd ?? [])];
        const what = code === 127 ? 'executable file not found in $PATH' : isDirectoryExec(message) ? 'is a directory: permission denied' : 'permission denied';
        throw new InvalidArgumentError(
          `failed to create task for container: failed to create shim task: OCI runtime create failed: unable to start container process: exec: "${argv[0] ?? ''}": ${what}: unknown`,
        );
      }
      throw err instanceof SystemError || err instanceof InvalidArgumentError || err instanceof ConflictError
        ? err
        : new SystemError(`failed to start container ${c.Id}: ${message}`);
    }
  }

  private networkRequest(c: ContainerRecord): ContainerNetworkRequest {
    const h = c.HostConfig;
    let mode = h.NetworkMode === 'default' || !h.NetworkMode ? 'bridge' : h.NetworkMode;
    // networking (marked edit): container:<name or id prefix> joins that container's namespace by full id.
    if (mode.startsWith('container:')) {
      const other = [...this.byId.values()].find((o) => o.Id === mode.slice(10) || o.Name === `/${mode.slice(10)}` || o.Id.startsWith(mode.slice(10)));
      if (other) mode = `container:${other.Id}`;
    }
    // The docker CLI names the default network "default" in EndpointsConfig too.
    const networks: ContainerNetworkRequest['networks'] = {};
    for (const [n, cfg] of Object.entries(c.endpointsConfig ?? {})) networks[n === 'default' ? 'bridge' : n] = { ...(cfg as object) };
    return {
      id: c.Id,
      name: c.Name.slice(1),
      hostname: c.Config.Hostname,
      domainname: c.Config.Domainname ?? '',
      networkMode: mode,
      networks,
      portBindings: h.PortBindings ?? {},
      exposedPorts: c.Config.ExposedPorts ?? {},
      publishAll: !!h.PublishAllPorts,
      dns: h.Dns ?? [],
      dnsSearch: h.DnsSearch ?? [],
      dnsOptions: h.DnsOptions ?? [],
      extraHosts: h.ExtraHosts ?? [],
      macAddress: c.Config.MacAddress,
    };
  }

  // ---------------------------------------------------------------- networks (marked edit: networking)

  /**
   * Records a network connection (config) or disconnection (undefined) in the container, applied
   * at its next start: `network connect/disconnect` of a container that is not running, and the
   * record kept for one that is. `settings` replaces NetworkSettings of a running container after
   * a live connect; a stopped one gets its idle settings recomputed.
   */
  setEndpointConfig(ref: string, network: string, config: Record<string, unknown> | undefined, settings?: Record<string, any>): void {
    const c = this.get(ref);
    const endpoints = { ...(c.endpointsConfig ?? {}) };
    if (config) endpoints[network] = config;
    else delete endpoints[network];
    c.endpointsConfig = endpoints;
    if (settings) c.NetworkSettings = settings;
    else if (!c.State.Running) c.NetworkSettings = this.d.networks.idleSettings(this.networkRequest(c));
    this.d.repo.save(c);
    // A live change: joining the first user network moves it to the embedded DNS, leaving the last
    // one moves it back, as dockerd does. Written in place: the file is bind-mounted by inode.
    if (!settings || !c.State.Running) return;
    const sharers = [...this.byId.values()].filter((o) => o.State.Running && this.networkRequest(o).networkMode === `container:${c.Id}`);
    for (const x of [c, ...sharers]) {
      const resolv = this.d.networks.resolvConfFor(this.networkRequest(x));
      if (resolv !== undefined) writeFileSync(x.ResolvConfPath, resolv);
    }
  }

  /** DELETE /containers/{parent}/{alias}?link=1 (marked edit: networking): forgets a legacy link. */
  removeLink(name: string): void {
    removeLink(name, (r) => this.get(r), (parent) => this.d.repo.save(parent as ContainerRecord));
  }

  // ---------------------------------------------------------------- exit handling

  private watchExit(c: ContainerRecord, generation: number): void {
    this.d.runtime.waitExit(c.Id).then(
      (r) => this.onExit(c.Id, generation, r),
      (err) => {
        this.d.logger.error({ err, id: c.Id }, 'lost track of container exit');
        void this.onExit(c.Id, generation, { exitCode: 255, oomKilled: false, finishedAt: new Date() });
      },
    );
  }

  private async onExit(id: string, generation: number, r: ExitResult): Promise<void> {
    const c = this.byId.get(id);
    if (!c || c.generation !== generation || !c.State.Running) return;
    this.health?.stop(c.Id);
    const steps = stepTimer(this.d.logger, 'exit', id);
    c.State = {
      ...c.State,
      Status: 'exited',
      Running: false,
      Paused: false,
      Pid: 0,
      ExitCode: r.exitCode,
      OOMKilled: r.oomKilled,
      FinishedAt: r.finishedAt.toISOString(),
    };
    await this.releaseResources(c);
    steps.mark('release');
    c.NetworkSettings = this.d.networks.idleSettings(this.networkRequest(c));
    this.d.repo.save(c);
    if (r.oomKilled) this.emit(c, 'oom');
    this.emit(c, 'die', { exitCode: String(r.exitCode) });
    this.signals.emit(`exit:${id}`, r);
    steps.mark('store+events');
    steps.done();
    if (c.HostConfig.AutoRemove) {
      await this.remove(c.Id, { force: true, volumes: true }).catch((err) => this.d.logger.warn({ err, id }, 'auto-remove failed'));
      return;
    }
    this.maybeRestart(c);
  }

  /** Runtime state, network and rootfs mount of a stopped container: everything but its files. */
  private async releaseResources(c: ContainerRecord): Promise<void> {
    // The three are independent once the process is gone; at once they cost the slowest of them.
    await Promise.all([
      this.d.runtime.delete(c.Id, { force: true }).catch((err) => this.d.logger.debug({ err, id: c.Id }, 'runtime delete')),
      this.d.networks.teardownContainer(c.Id).catch((err) => this.d.logger.warn({ err, id: c.Id }, 'network teardown')),
      this.d.rootfs.unmountContainerLayer(c.Id).catch((err) => this.d.logger.warn({ err, id: c.Id }, 'unmount')),
    ]);
  }

  private maybeRestart(c: ContainerRecord): void {
    const policy = c.HostConfig.RestartPolicy ?? { Name: 'no' };
    const name = policy.Name || 'no';
    const forced = this.healthRestarts.delete(c.Id) && !c.manuallyStopped; // lifecycle: --health-on-failure=restart
    if (!forced && (c.manuallyStopped || name === 'no')) return;
    if (!forced && name === 'on-failure') {
      if (c.State.ExitCode === 0) return;
      if (policy.MaximumRetryCount > 0 && c.RestartCount >= policy.MaximumRetryCount) return;
    }
    if (this.deferredRestarts) {
      this.deferredRestarts.push(c);
      return;
    }
    // Docker's back-off: 100 ms doubling per consecutive restart, capped at a minute, reset after 10 s up.
    const delay = nextRestartDelay(this.restartDelays.get(c.Id), ranFor(c.State));
    this.restartDelays.set(c.Id, delay);
    c.State = { ...c.State, Restarting: true, Status: 'restarting' };
    this.d.repo.save(c);
    const timer = setTimeout(() => {
      this.restartTimers.delete(c.Id);
      if (!this.byId.has(c.Id) || c.manuallyStopped) return;
      c.RestartCount++;
      c.State.Restarting = false;
      this.start(c.Id)
        .then(() => this.emit(c, 'restart'))
        .catch((err) => this.d.logger.warn({ err, id: c.Id }, 'restart failed'));
    }, delay);
    this.restartTimers.set(c.Id, timer);
  }

  /**
   * lifecycle: --health-on-failure (label berth.health-on-failure). kill: SIGKILL, then the restart
   * policy decides; restart: SIGKILL and restart with the policy's back-off whatever the policy;
   * stop: a `docker stop`. The event says which action the unhealthy status caused.
   */
  private actOnUnhealthy(c: ContainerRecord): void {
    const action = healthOnFailure(c.Config.Labels);
    if (action === 'none') return;
    this.emit(c, 'health_on_failure', { action, healthStatus: 'unhealthy' });
    this.health?.stop(c.Id);
    const failed = (err: unknown) => this.d.logger.warn({ err, id: c.Id, action }, 'health-on-failure action failed');
    if (action === 'stop') {
      void this.stop(c.Id).catch(failed);
      return;
    }
    if (action === 'restart') this.healthRestarts.add(c.Id);
    void this.locked(c.Id, async () => {
      if (!c.State.Running) return;
      this.emit(c, 'kill', { signal: '9' });
      await this.d.runtime.kill(c.Id, 'SIGKILL');
    }).catch(failed);
  }

  private nextExit(id: string): Promise<ExitResult> {
    return new Promise((resolve) => this.signals.once(`exit:${id}`, resolve));
  }

  // ---------------------------------------------------------------- stop, kill, restart

  stop(ref: string, o: { timeout?: number; signal?: string } = {}): Promise<void> {
    const c = this.get(ref);
    return this.locked(c.Id, () => this.stopLocked(c, o));
  }

  private async stopLocked(c: ContainerRecord, o: { timeout?: number; signal?: string }): Promise<void> {
    if (c.State.Restarting) {
      c.manuallyStopped = true;
      clearTimeout(this.restartTimers.get(c.Id));
      this.restartTimers.delete(c.Id);
      c.State = { ...c.State, Restarting: false, Status: 'exited' };
      this.d.repo.save(c);
      return;
    }
    if (!c.State.Running) throw new NotModifiedError('container already stopped');
    c.manuallyStopped = true;
    const signal = o.signal || c.Config.StopSignal || 'SIGTERM';
    const timeout = o.timeout ?? c.Config.StopTimeout ?? 10;
    const exited = this.nextExit(c.Id);
    if (c.State.Paused) await this.d.runtime.resume(c.Id).catch(() => undefined);
    this.emit(c, 'kill', { signal: String(signalNumber(signal)) });
    await this.d.runtime.kill(c.Id, signal).catch(() => undefined);
    // moby: any negative timeout waits without limit (no SIGKILL); so does one beyond a timer's range.
    const unlimited = timeout < 0 || timeout * 1000 > MAX_TIMER_MS;
    const inTime = unlimited ? await exited.then(() => true) : await raceTimeout(exited, timeout * 1000);
    if (!inTime) {
      this.emit(c, 'kill', { signal: '9' });
      await this.d.runtime.kill(c.Id, 'SIGKILL').catch(() => undefined);
      await exited;
    }
    this.emit(c, 'stop');
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const c = this.get(ref);
    const num = signalNumber(signal);
    if (!c.State.Running) throw new ConflictError(`Cannot kill container: ${ref}: container ${c.Id} is not running`);
    if (num === 9 || num === 15 || num === 2) c.manuallyStopped = true;
    this.emit(c, 'kill', { signal: String(num) });
    // As dockerd: a SIGKILL returns once the container is down, so inspect right after shows it exited.
    const exited = num === 9 ? this.nextExit(c.Id) : undefined;
    await this.whileRunning(c, () => this.d.runtime.kill(c.Id, num), () => new ConflictError(`Cannot kill container: ${ref}: container ${c.Id} is not running`));
    if (exited) await raceTimeout(exited, 10_000);
  }

  async restart(ref: string, o: { timeout?: number; signal?: string } = {}): Promise<void> {
    const c = this.get(ref);
    await this.locked(c.Id, async () => {
      if (c.State.Running) await this.stopLocked(c, o);
      await this.startLocked(c);
    });
    this.emit(c, 'restart');
  }

  // ---------------------------------------------------------------- pause

  async pause(ref: string): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Running) throw new ConflictError(`Container ${c.Id} is not running`);
    if (c.State.Paused) throw new ConflictError(`Container ${c.Id} is already paused`);
    await this.whileRunning(c, () => this.d.runtime.pause(c.Id));
    c.State = { ...c.State, Paused: true, Status: 'paused' };
    this.d.repo.save(c);
    this.emit(c, 'pause');
  }

  async unpause(ref: string): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Paused) throw new ConflictError(`Container ${c.Id} is not paused`);
    await this.whileRunning(c, () => this.d.runtime.resume(c.Id), () => new ConflictError(`Container ${c.Id} is not paused`));
    c.State = { ...c.State, Paused: false, Status: 'running' };
    this.d.repo.save(c);
    this.emit(c, 'unpause');
  }

  // ---------------------------------------------------------------- wait

  async wait(ref: string, condition: WaitCondition = 'not-running'): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    const c = this.get(ref);
    const result = (code: number) => ({ StatusCode: code, Error: null });
    if (condition === 'removed') {
      await new Promise<void>((resolve) => this.signals.once(`removed:${c.Id}`, resolve));
      return result(c.State.ExitCode);
    }
    if (condition === 'not-running' && !c.State.Running && !c.State.Restarting) return result(c.State.ExitCode);
    const r = await this.nextExit(c.Id);
    return result(r.exitCode);
  }

  // ---------------------------------------------------------------- remove, rename, update

  async remove(ref: string, o: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const c = this.get(ref);
    // A forced remove never queues behind a stop that waits (t=-1 waits without limit): as dockerd,
    // it kills at once, which also ends that stop; the removal itself then runs in turn.
    if (o.force && c.State.Running && this.locks.has(c.Id)) {
      this.removalPending.add(c.Id);
      await this.killForRemoval(c);
    }
    return this.locked(c.Id, () => this.removeLocked(c, o)).finally(() => this.removalPending.delete(c.Id));
  }

  private async removeLocked(c: ContainerRecord, o: { force?: boolean; volumes?: boolean }): Promise<void> {
    if (!this.byId.has(c.Id)) return;
    if (c.State.Restarting && !o.force) {
      throw new ConflictError(`cannot remove container "${c.Name}": container is restarting: stop the container before removing or force remove`);
    }
    if (c.State.Running && !o.force) {
      throw new ConflictError(
        `cannot remove container "${c.Name}": container is ${c.State.Paused ? 'paused' : 'running'}: stop the container before removing or force remove`,
      );
    }
    if (c.State.Status === 'removing') throw new ConflictError(`removal of container ${c.Id} is already in progress`);
    clearTimeout(this.restartTimers.get(c.Id));
    this.restartTimers.delete(c.Id);
    c.manuallyStopped = true;
    if (c.State.Running) await this.killForRemoval(c);
    c.State = { ...c.State, Status: 'removing' };
    await this.releaseResources(c);
    await this.d.runtime.cleanup?.(c.Id).catch(() => undefined);
    await this.d.rootfs.removeContainerLayer(c.Id);
    await this.d.mounts?.release(c, !!o.volumes).catch((err) => this.d.logger.warn({ err, id: c.Id }, 'releasing mounts'));
    rmSync(this.d.paths.containerDir(c.Id), { recursive: true, force: true });
    rmSync(this.d.paths.containerRunDir(c.Id), { recursive: true, force: true });
    this.d.repo.remove(c.Id);
    this.byId.delete(c.Id);
    this.emit(c, 'destroy');
    this.signals.emit(`removed:${c.Id}`);
  }

  /** SIGKILL for `rm -f`, waiting (bounded) for the exit to be recorded. */
  private async killForRemoval(c: ContainerRecord): Promise<void> {
    c.manuallyStopped = true;
    clearTimeout(this.restartTimers.get(c.Id));
    this.restartTimers.delete(c.Id);
    const exited = this.nextExit(c.Id);
    if (c.State.Paused) await this.d.runtime.resume(c.Id).catch(() => undefined);
    this.emit(c, 'kill', { signal: '9' });
    await this.d.runtime.kill(c.Id, 'SIGKILL').catch(() => undefined);
    await raceTimeout(exited, 10_000);
  }

  rename(ref: string, newName: string): void {
    const c = this.get(ref);
    const name = validateContainerName(newName);
    if (name === c.Name) throw new InvalidArgumentError(`Renaming a container with the same name as its current name`);
    const holder = this.nameHolder(name);
    if (holder) {
      throw new ConflictError(
        `Conflict. The container name "${name}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const oldName = c.Name;
    c.Name = name;
    this.d.repo.save(c);
    this.emit(c, 'rename', { oldName });
  }

  async update(ref: string, body: Record<string, any>): Promise<{ Warnings: string[] }> {
    const c = this.get(ref);
    const resourceKeys = [
      'CpuShares', 'Memory', 'CgroupParent', 'BlkioWeight', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod',
      'CpuRealtimeRuntime', 'CpusetCpus', 'CpusetMems', 'MemoryReservation', 'MemorySwap', 'NanoCpus',
      'OomKillDisable', 'PidsLimit',
    ];
    const changes: Record<string, unknown> = {};
    for (const k of resourceKeys) if (body[k] !== undefined && body[k] !== null) changes[k] = body[k];
    if (body.RestartPolicy?.Name !== undefined) {
      if (c.HostConfig.AutoRemove && body.RestartPolicy.Name !== 'no') {
        throw new InvalidArgumentError(`Cannot update restart policy: can't create 'AutoRemove' container with restart policy`);
      }
      c.HostConfig.RestartPolicy = { Name: body.RestartPolicy.Name, MaximumRetryCount: body.RestartPolicy.MaximumRetryCount ?? 0 };
    }
    if (changes.NanoCpus && (changes.CpuQuota || changes.CpuPeriod)) {
      throw new InvalidArgumentError('Conflicting options: Nano CPUs cannot be updated as CPU Period/Quota has already been set');
    }
    if (c.State.Running && Object.keys(changes).length) {
      // A container that exits meanwhile keeps the new values for its next start, as a stopped one does.
      await this.whileRunning(c, () => this.d.runtime.update(c.Id, changes)).catch((err) => {
        if (!(err instanceof ConflictError)) throw err;
      });
    }
    Object.assign(c.HostConfig, changes);
    this.d.repo.save(c);
    this.emit(c, 'update');
    return { Warnings: [] };
  }

  // ---------------------------------------------------------------- attach, resize

  /**
   * Connects to a container's stdio. For a container not yet started the connection is made between
   * runtime create and start, so the first bytes it prints are not lost.
   */
  async attach(ref: string, o: { stdin: boolean }): Promise<RuntimeAttach> {
    const c = this.get(ref);
    this.emit(c, 'attach');
    if (c.State.Running) return this.d.runtime.attach(c.Id, { stdin: o.stdin && !!c.Config.OpenStdin });
    return new Promise((resolve, reject) => {
      const list = this.pendingAttach.get(c.Id) ?? [];
      list.push((a) => (a instanceof Error ? reject(a) : resolve(a)));
      this.pendingAttach.set(c.Id, list);
    });
  }

  /** Forgets a pending attach whose client went away before the container started. */
  cancelPendingAttach(ref: string): void {
    const c = this.byId.get(ref);
    if (c) this.pendingAttach.delete(c.Id);
  }

  private async connectPendingAttach(c: ContainerRecord): Promise<void> {
    const waiting = this.pendingAttach.get(c.Id);
    if (!waiting?.length) return;
    this.pendingAttach.delete(c.Id);
    await Promise.all(
      waiting.map(async (done) => {
        try {
          done(await this.d.runtime.attach(c.Id, { stdin: !!c.Config.OpenStdin }));
        } catch (err) {
          done(err as Error);
        }
      }),
    );
  }

  private failPendingAttach(c: ContainerRecord, err: Error): void {
    const waiting = this.pendingAttach.get(c.Id);
    this.pendingAttach.delete(c.Id);
    for (const done of waiting ?? []) done(err);
  }

  async resize(ref: string, height: number, width: number): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Running) throw new ConflictError(`Container ${c.Id} is not running`);
    await this.whileRunning(c, () => this.d.runtime.resize(c.Id, height, width));
  }

  /** A promise that settles at the container's next exit (for log following). */
  exited(ref: string): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Running) return Promise.resolve();
    return this.nextExit(c.Id).then(() => undefined);
  }

  // ---------------------------------------------------------------- recovery

  /**
   * After a daemon restart: containers whose monitor still runs are adopted again; those that
   * exited meanwhile get their exit recorded; their leftovers are released.
   */
  async recover(): Promise<void> {
    this.deferredRestarts = [];
    // One runtime `state` exec per container: a few at once, so 500 containers are not 500 in a row.
    const queue = [...this.byId.values()];
    const live = queue.filter((c) => c.State.Running || c.State.Restarting).map((c) => c.Id);
    const states = live.length ? await this.d.runtime.states?.(live).catch(() => undefined) : undefined;
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) await this.recoverOne(c, states);
    };
    await Promise.all(Array.from({ length: Math.min(RECOVER_CONCURRENCY, queue.length) }, worker));
    // lifecycle: what the restart policies bring back, each after the containers it needs.
    const restarts = startOrder(this.deferredRestarts);
    this.deferredRestarts = undefined;
    for (const c of restarts) {
      if (!this.byId.has(c.Id) || c.State.Running) continue;
      c.RestartCount++;
      c.State.Restarting = false;
      await this.start(c.Id)
        .then(() => this.emit(c, 'restart'))
        .catch((err) => {
          this.d.logger.warn({ err, id: c.Id }, 'restart at start-up failed');
          this.maybeRestart(c); // the back-off goes on trying
        });
    }
  }

  private async recoverOne(c: ContainerRecord, states?: Map<string, { status: string; pid: number } | null>): Promise<void> {
    if (c.State.Status === 'removing') {
      await this.remove(c.Id, { force: true }).catch((err) => this.d.logger.warn({ err, id: c.Id }, 'finishing removal'));
      return;
    }
    if (!c.State.Running && !c.State.Restarting) return;
    const st = states?.has(c.Id) ? states.get(c.Id)! : await this.d.runtime.state(c.Id).catch(() => null);
    if (st && (st.status === 'running' || st.status === 'paused')) {
      c.State = { ...c.State, Running: true, Paused: st.status === 'paused', Status: st.status as 'running' | 'paused', Pid: st.pid };
      this.d.repo.save(c);
      this.watchExit(c, c.generation);
      this.health?.start(c);
      this.d.logger.info({ id: c.Id }, 'adopted running container');
    } else if (!c.State.Running) {
      // lifecycle: it was waiting out its restart delay when berthd went down.
      this.maybeRestart(c);
    } else {
      // Gone while we were away: the exit file (if the monitor wrote one) tells the code; after
      // a reboot there is none (nor a run dir): 255, as dockerd records a lost container.
      const unknown = (): ExitResult => ({ exitCode: 255, oomKilled: false, finishedAt: new Date() });
      const exit = await Promise.race([
        this.d.runtime.waitExit(c.Id).catch(unknown),
        new Promise<ExitResult>((res) => setTimeout(() => res(unknown()), 250)),
      ]);
      await this.onExit(c.Id, c.generation, exit);
      this.d.logger.info({ id: c.Id, exitCode: exit.exitCode }, 'container exited while berthd was away');
    }
  }

  // ---------------------------------------------------------------- helpers

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

  /** Whether the container's exit is recorded within `ms`; leaves no listener behind. */
  private exitWithin(id: string, ms: number): Promise<boolean> {
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
   * A runtime verb on a running container. A container that has just exited is stopped to every
   * caller: the runtime's failure for it ("error opening file …/status", "No such process")
   * becomes Docker's 409, never a 500.
   */
  private async whileRunning<T>(c: ContainerRecord, verb: () => Promise<T>, notRunning = () => new ConflictError(`Container ${c.Id} is not running`)): Promise<T> {
    try {
      return await verb();
    } catch (err) {
      if (await this.hasStopped(c, { settle: true })) throw notRunning();
      throw err;
    }
  }

  private emit(c: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events.emit({
      Type: 'container',
      Action: action,
      Actor: { ID: c.Id, Attributes: { ...(c.Config.Labels ?? {}), image: c.Config.Image, name: c.Name.slice(1), ...extra } },
    });
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(id, tail);
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    return next;
  }
}

/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function raceTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      () => {
        clearTimeout(t);
        resolve(true);
      },
    );
  });
}


/**
 * The networks a container is connected to, keyed by name: what the client sent, with the primary
 * network (NetworkMode) always present, so connect/disconnect have one list to work on.
 */
function primaryEndpoints(mode: string, sent: Record<string, any> | undefined): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(sent ?? {})) out[k === 'default' ? 'bridge' : k] = v ?? {};
  if (!['host', 'none'].includes(mode) && !mode.startsWith('container:')) out[mode] ??= {};
  return out;
}

const MIN_MEMORY = 6 * 1024 * 1024;
/** dockerd's built-in log drivers; each is accepted, and logs are kept by conmon whatever the name. */
const LOG_DRIVERS = new Set(['json-file', 'local', 'none', 'journald', 'syslog', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries']);

/** Docker's HostConfig defaults and the checks dockerd makes at create. */
export function normaliseHostConfig(h: Record<string, any>, logDriver: string): Record<string, any> {
  const out: Record<string, any> = { ...h };
  out.NetworkMode = !h.NetworkMode || h.NetworkMode === 'default' ? 'bridge' : h.NetworkMode;
  out.RestartPolicy = { Name: h.RestartPolicy?.Name || 'no', MaximumRetryCount: h.RestartPolicy?.MaximumRetryCount ?? 0 };
  const policies = ['no', 'always', 'on-failure', 'unless-stopped'];
  if (!policies.includes(out.RestartPolicy.Name)) throw new InvalidArgumentError(`invalid restart policy: unknown policy '${out.RestartPolicy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (out.RestartPolicy.Name !== 'on-failure' && out.RestartPolicy.MaximumRetryCount > 0) {
    throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (out.RestartPolicy.MaximumRetryCount < 0) throw new InvalidArgumentError('invalid restart policy: maximum retry count cannot be negative');
  if (h.AutoRemove && out.RestartPolicy.Name !== 'no') {
    throw new InvalidArgumentError(`conflicting options: cannot combine AutoRemove (--rm) with restart policy (--restart)`);
  }
  if (h.Memory && h.Memory > 0 && h.Memory < MIN_MEMORY) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  if (h.MemorySwap > 0 && h.Memory > 0 && h.MemorySwap < h.Memory) {
    throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (h.NanoCpus && (h.CpuQuota || h.CpuPeriod)) {
    throw new InvalidArgumentError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (h.NanoCpus && h.NanoCpus < 0) throw new InvalidArgumentError('Range of CPUs is from 0.01 to the number of CPUs available');
  out.LogConfig = { Type: h.LogConfig?.Type || logDriver, Config: h.LogConfig?.Config ?? {} };
  if (!LOG_DRIVERS.has(out.LogConfig.Type)) throw new InvalidArgumentError(`logger: no log driver named '${out.LogConfig.Type}' is registered`);
  logPolicy(out.LogConfig, { driver: logDriver, opts: {} }); // lifecycle: bad max-size/max-file fail at create
  out.Binds ??= null;
  out.PortBindings ??= {};
  out.AutoRemove = !!h.AutoRemove;
  out.Privileged = !!h.Privileged;
  out.PublishAllPorts = !!h.PublishAllPorts;
  out.ReadonlyRootfs = !!h.ReadonlyRootfs;
  out.CapAdd ??= null;
  out.CapDrop ??= null;
  out.Dns ??= [];
  out.DnsOptions ??= [];
  out.DnsSearch ??= [];
  out.ExtraHosts ??= null;
  out.SecurityOpt ??= null;
  out.ShmSize ??= 64 * 1024 * 1024;
  out.Memory ??= 0;
  out.MemorySwap ??= 0;
  out.MemoryReservation ??= 0;
  out.NanoCpus ??= 0;
  out.CpuShares ??= 0;
  out.CpuQuota ??= 0;
  out.CpuPeriod ??= 0;
  out.CpusetCpus ??= '';
  out.CpusetMems ??= '';
  out.PidsLimit ??= null;
  out.OomKillDisable ??= false;
  out.Ulimits ??= null;
  out.IpcMode ||= 'private';
  out.PidMode ??= '';
  out.UTSMode ??= '';
  out.Init ??= null;
  out.Runtime ||= '';
  out.Mounts ??= undefined;
  out.ConsoleSize ??= [0, 0];
  out.Isolation ??= '';
  out.CgroupnsMode ||= 'host';
  out.MaskedPaths ??= undefined;
  out.ReadonlyPaths ??= undefined;
  return out;
}
