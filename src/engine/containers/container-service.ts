import { InvalidArgumentError } from '../../common/errors.js';
import { validateContainerName } from './config-merge.js';
import { ContainerContext, type ContainerServiceDeps } from './container-context.js';
import { createContainer, type CreateRequest } from './container-create.js';
import type { ContainerRecord, EndpointSettings, NetworkSettings } from './container-model.js';
import { setEndpointConfig } from './container-networking.js';
import { recoverContainers } from './container-recovery.js';
import { removeContainer, type RemoveOptions } from './container-remove.js';
import { startLocked } from './container-start.js';
import { assertCanPause, assertCanUnpause, notPaused, notRunning, withStatus } from './container-state.js';
import { killContainer, stopLocked, type StopOptions } from './container-stop.js';
import { updateContainer, type UpdateBody } from './container-update.js';
import { HealthMonitor } from './health-monitor.js';
import { removeLink } from './links.js';
import type { RuntimeAttach } from './ports.js';

export type { ContainerServiceDeps } from './container-context.js';
export type { CreateRequest } from './container-create.js';
export { normaliseHostConfig } from './host-config.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * The container state machine's facade: create, start, stop, kill, wait, remove, pause, rename,
 * restart policies and recovery after a daemon restart. Each job lives in its own module; this
 * class looks containers up and serialises the verbs per container. It decides; the runtime,
 * rootfs and network providers act; the repository remembers.
 */
export class ContainerService {
  private readonly ctx: ContainerContext;

  constructor(d: ContainerServiceDeps) {
    this.ctx = new ContainerContext(d, this);
    const ctx = this.ctx;
    if (d.healthProbe) {
      ctx.health = new HealthMonitor(d.healthProbe, (c, statusChanged) => {
        if (!ctx.byId.has(c.Id)) return;
        d.repo.save(c);
        if (statusChanged) ctx.emit(c, `health_status: ${c.State.Health!.Status}`);
        if (statusChanged && c.State.Health!.Status === 'unhealthy') ctx.restarts.actOnUnhealthy(c); // lifecycle
      });
    }
    for (const c of d.repo.all()) ctx.byId.set(c.Id, c);
  }

  // ---------------------------------------------------------------- lookup

  list(): ContainerRecord[] {
    return [...this.ctx.byId.values()].sort((a, b) => (a.Created < b.Created ? 1 : -1));
  }

  /** Finds by full id, name (with or without slash) or unique id prefix — Docker's rules and message. */
  get(ref: string): ContainerRecord {
    return this.ctx.get(ref);
  }

  isImageUsed(imageId: string): ContainerRecord | undefined {
    for (const c of this.ctx.byId.values()) if (c.Image === imageId) return c;
    return undefined;
  }

  counts(): { containers: number; running: number; paused: number; stopped: number } {
    let running = 0;
    let paused = 0;
    for (const c of this.ctx.byId.values()) {
      if (c.State.Paused) paused++;
      else if (c.State.Running) running++;
    }
    const all = this.ctx.byId.size;
    return { containers: all, running, paused, stopped: all - running - paused };
  }

  imageHistory(name: string) {
    return this.ctx.d.repo.imageHistory(name);
  }

  // ---------------------------------------------------------------- lifecycle

  create(req: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
    return createContainer(this.ctx, req);
  }

  start(ref: string): Promise<void> {
    const c = this.get(ref);
    return this.ctx.locked(c.Id, () => startLocked(this.ctx, c));
  }

  stop(ref: string, o: StopOptions = {}): Promise<void> {
    const c = this.get(ref);
    return this.ctx.locked(c.Id, () => stopLocked(this.ctx, c, o));
  }

  kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    return killContainer(this.ctx, ref, signal);
  }

  async restart(ref: string, o: StopOptions = {}): Promise<void> {
    const c = this.get(ref);
    await this.ctx.locked(c.Id, async () => {
      if (c.State.Running) await stopLocked(this.ctx, c, o);
      await startLocked(this.ctx, c);
    });
    this.ctx.emit(c, 'restart');
  }

  async pause(ref: string): Promise<void> {
    const c = this.get(ref);
    assertCanPause(c.Id, c.State);
    await this.ctx.whileRunning(c, () => this.ctx.d.runtime.pause(c.Id));
    c.State = withStatus(c.State, 'paused');
    this.ctx.d.repo.save(c);
    this.ctx.emit(c, 'pause');
  }

  async unpause(ref: string): Promise<void> {
    const c = this.get(ref);
    assertCanUnpause(c.Id, c.State);
    await this.ctx.whileRunning(c, () => this.ctx.d.runtime.resume(c.Id), () => notPaused(c.Id));
    c.State = withStatus(c.State, 'running');
    this.ctx.d.repo.save(c);
    this.ctx.emit(c, 'unpause');
  }

  async wait(ref: string, condition: WaitCondition = 'not-running'): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    const c = this.get(ref);
    const result = (code: number) => ({ StatusCode: code, Error: null });
    if (condition === 'removed') {
      await new Promise<void>((resolve) => this.ctx.signals.once(`removed:${c.Id}`, resolve));
      return result(c.State.ExitCode);
    }
    if (condition === 'not-running' && !c.State.Running && !c.State.Restarting) return result(c.State.ExitCode);
    const r = await this.ctx.nextExit(c.Id);
    return result(r.exitCode);
  }

  remove(ref: string, o: RemoveOptions = {}): Promise<void> {
    return removeContainer(this.ctx, ref, o);
  }

  rename(ref: string, newName: string): void {
    const c = this.get(ref);
    const name = validateContainerName(newName);
    if (name === c.Name) throw new InvalidArgumentError(`Renaming a container with the same name as its current name`);
    this.ctx.assertNameFree(name);
    const oldName = c.Name;
    c.Name = name;
    this.ctx.d.repo.save(c);
    this.ctx.emit(c, 'rename', { oldName });
  }

  /** Adds berth's own labels to a container's record (migrate marks the source it stopped). */
  addLabels(ref: string, labels: Record<string, string>): void {
    const c = this.get(ref);
    c.Config.Labels = { ...(c.Config.Labels ?? {}), ...labels };
    this.ctx.d.repo.save(c);
  }

  update(ref: string, body: UpdateBody): Promise<{ Warnings: string[] }> {
    return updateContainer(this.ctx, this.get(ref), body);
  }

  // ---------------------------------------------------------------- attach, resize

  /**
   * Connects to a container's stdio. For a container not yet started the connection is made between
   * runtime create and start, so the first bytes it prints are not lost.
   */
  async attach(ref: string, o: { stdin: boolean }): Promise<RuntimeAttach> {
    const c = this.get(ref);
    this.ctx.emit(c, 'attach');
    if (c.State.Running) return this.ctx.d.runtime.attach(c.Id, { stdin: o.stdin && !!c.Config.OpenStdin });
    return this.ctx.attaches.add(c.Id);
  }

  /** Forgets a pending attach whose client went away before the container started. */
  cancelPendingAttach(ref: string): void {
    const c = this.ctx.byId.get(ref);
    if (c) this.ctx.attaches.cancel(c.Id);
  }

  async resize(ref: string, height: number, width: number): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Running) throw notRunning(c.Id);
    await this.ctx.whileRunning(c, () => this.ctx.d.runtime.resize(c.Id, height, width));
  }

  /** A promise that settles at the container's next exit (for log following). */
  exited(ref: string): Promise<void> {
    const c = this.get(ref);
    if (!c.State.Running) return Promise.resolve();
    return this.ctx.nextExit(c.Id).then(() => undefined);
  }

  // ---------------------------------------------------------------- recovery, helpers

  /**
   * After a daemon restart: containers whose monitor still runs are adopted again; those that
   * exited meanwhile get their exit recorded; their leftovers are released.
   */
  recover(): Promise<void> {
    return recoverContainers(this.ctx);
  }

  /** Whether a container the caller saw running has stopped (see ContainerContext.hasStopped). */
  hasStopped(c: ContainerRecord, o: { settle?: boolean } = {}): Promise<boolean> {
    return this.ctx.hasStopped(c, o);
  }

  /**
   * Records a network connection (config) or disconnection (undefined) in the container, applied
   * at its next start; `settings` replaces NetworkSettings of a running container after a live connect.
   */
  setEndpointConfig(ref: string, network: string, config: EndpointSettings | undefined, settings?: NetworkSettings): void {
    setEndpointConfig(this.ctx, this.get(ref), network, config, settings);
  }

  /** DELETE /containers/{parent}/{alias}?link=1 (marked edit: networking): forgets a legacy link. */
  removeLink(name: string): void {
    removeLink(name, (r) => this.get(r), (parent) => this.ctx.d.repo.save(parent as ContainerRecord));
  }
}
