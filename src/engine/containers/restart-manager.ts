// Docker's restart manager: whether an exited container comes back (its policy, a manual stop,
// --health-on-failure), after how long (the doubling back-off), and in which order at recovery.
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-model.js';
import { restartUnderWay, withStatus } from './container-state.js';
import { healthOnFailure } from './health-action.js';
import { nextRestartDelay, ranFor } from './restart-backoff.js';
import { startOrder } from './restart-order.js';

/** Whether a container that just exited restarts under its policy (`forced`: health-on-failure=restart). */
export function policyRestarts(c: ContainerRecord, forced: boolean): boolean {
  const policy = c.HostConfig.RestartPolicy ?? { Name: 'no' };
  const name = policy.Name || 'no';
  if (forced) return true;
  if (c.manuallyStopped || name === 'no') return false;
  if (name === 'on-failure') {
    if (c.State.ExitCode === 0) return false;
    const max = policy.MaximumRetryCount ?? 0;
    if (max > 0 && c.RestartCount >= max) return false;
  }
  return true;
}

export class RestartManager {
  private readonly timers = new Map<string, unknown>();
  /** Containers --health-on-failure=restart killed: their next exit restarts them whatever the policy. */
  private readonly healthRestarts = new Set<string>();
  /** The last restart delay per container, for Docker's doubling back-off. */
  private readonly delays = new Map<string, number>();
  /** During recovery, restarts are collected here and made in dependency order. */
  private deferred?: ContainerRecord[];

  constructor(private readonly ctx: ContainerContext) {}

  /** Forgets a pending restart (start, stop, remove). */
  cancel(id: string): void {
    const t = this.timers.get(id);
    if (t !== undefined) this.ctx.timers.clearTimeout(t);
    this.timers.delete(id);
  }

  /** After an exit: schedules the restart its policy asks for, if any. */
  /** Whether the exit just recorded will be followed by a restart (maybeRestart decides it for good). */
  wouldRestart(c: ContainerRecord): boolean {
    return policyRestarts(c, this.healthRestarts.has(c.Id) && !c.manuallyStopped);
  }

  /** Schedules the policy's restart after an exit; false when the policy (or a stop since) says no. */
  maybeRestart(c: ContainerRecord): boolean {
    const forced = this.healthRestarts.delete(c.Id) && !c.manuallyStopped; // lifecycle: --health-on-failure=restart
    if (!policyRestarts(c, forced)) return false;
    if (this.deferred) {
      this.deferred.push(c);
      return true;
    }
    // Docker's back-off: 100 ms doubling per consecutive restart, capped at a minute, reset after 10 s up.
    const delay = nextRestartDelay(this.delays.get(c.Id), ranFor(c.State));
    this.delays.set(c.Id, delay);
    c.State = withStatus(c.State, 'restarting');
    this.ctx.d.repo.save(c);
    const timer = this.ctx.timers.setTimeout(() => {
      this.timers.delete(c.Id);
      if (!this.ctx.byId.has(c.Id) || c.manuallyStopped) return;
      c.RestartCount++;
      c.State = restartUnderWay(c.State);
      this.ctx.ops
        .start(c.Id)
        .then(() => this.ctx.emit(c, 'restart'))
        .catch((err) => this.ctx.d.logger.warn({ err, id: c.Id }, 'restart failed'));
    }, delay);
    this.timers.set(c.Id, timer);
    return true;
  }

  /** Recovery: restarts are collected from now until `startDeferred`. */
  deferRestarts(): void {
    this.deferred = [];
  }

  /** Recovery's restarts, each after the containers it needs. */
  async startDeferred(): Promise<void> {
    const restarts = startOrder(this.deferred ?? []);
    this.deferred = undefined;
    for (const c of restarts) {
      if (!this.ctx.byId.has(c.Id) || c.State.Running) continue;
      c.RestartCount++;
      c.State = restartUnderWay(c.State);
      await this.ctx.ops
        .start(c.Id)
        .then(() => this.ctx.emit(c, 'restart'))
        .catch((err) => {
          this.ctx.d.logger.warn({ err, id: c.Id }, 'restart at start-up failed');
          this.maybeRestart(c); // the back-off goes on trying
        });
    }
  }

  /**
   * lifecycle: --health-on-failure (label berth.health-on-failure). kill: SIGKILL, then the restart
   * policy decides; restart: SIGKILL and restart with the policy's back-off whatever the policy;
   * stop: a `docker stop`. The event says which action the unhealthy status caused.
   */
  actOnUnhealthy(c: ContainerRecord): void {
    const action = healthOnFailure(c.Config.Labels);
    if (action === 'none') return;
    this.ctx.emit(c, 'health_on_failure', { action, healthStatus: 'unhealthy' });
    this.ctx.health?.stop(c.Id);
    const failed = (err: unknown) => this.ctx.d.logger.warn({ err, id: c.Id, action }, 'health-on-failure action failed');
    if (action === 'stop') {
      void this.ctx.ops.stop(c.Id).catch(failed);
      return;
    }
    if (action === 'restart') this.healthRestarts.add(c.Id);
    void this.ctx
      .locked(c.Id, async () => {
        if (!c.State.Running) return;
        this.ctx.emit(c, 'kill', { signal: '9' });
        await this.ctx.d.runtime.kill(c.Id, 'SIGKILL');
      })
      .catch(failed);
  }
}
