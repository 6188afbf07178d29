// Stop and kill: the stop signal, the grace period, SIGKILL after it; a SIGKILL for `rm -f`.
import type { ContainerContext } from './container-context.js';
import { raceTimeout } from './container-context.js';
import type { ContainerRecord } from './container-model.js';
import { assertCanKill, assertCanStop, killRefusal, withStatus } from './container-state.js';
import { signalNumber } from './signals.js';

/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StopOptions {
  timeout?: number;
  signal?: string;
}

/** Stop under the container's lock. A restarting container only loses its pending restart. */
export async function stopLocked(ctx: ContainerContext, c: ContainerRecord, o: StopOptions): Promise<void> {
  if (c.State.Restarting) {
    c.manuallyStopped = true;
    ctx.restarts.cancel(c.Id);
    c.State = withStatus(c.State, 'exited');
    ctx.d.repo.save(c);
    return;
  }
  assertCanStop(c.State);
  c.manuallyStopped = true;
  const signal = o.signal || c.Config.StopSignal || 'SIGTERM';
  const timeout = o.timeout ?? c.Config.StopTimeout ?? 10;
  const exited = ctx.nextExit(c.Id);
  if (c.State.Paused) await ctx.d.runtime.resume(c.Id).catch(() => undefined);
  ctx.emit(c, 'kill', { signal: String(signalNumber(signal)) });
  await ctx.d.runtime.kill(c.Id, signal).catch(() => undefined);
  // moby waits without limit (no SIGKILL) for a negative timeout; so does one beyond a timer's range.
  const unlimited = timeout < 0 || timeout * 1000 > MAX_TIMER_MS;
  const inTime = unlimited ? await exited.then(() => true) : await raceTimeout(exited, timeout * 1000);
  if (!inTime) {
    ctx.emit(c, 'kill', { signal: '9' });
    await ctx.d.runtime.kill(c.Id, 'SIGKILL').catch(() => undefined);
    await exited;
  }
  ctx.emit(c, 'stop');
}

export async function killContainer(ctx: ContainerContext, ref: string, signal: string): Promise<void> {
  const c = ctx.get(ref);
  const num = signalNumber(signal);
  assertCanKill(ref, c.Id, c.State);
  if (num === 9 || num === 15 || num === 2) c.manuallyStopped = true;
  ctx.emit(c, 'kill', { signal: String(num) });
  // As dockerd: a SIGKILL returns once the container is down, so inspect right after shows it exited.
  const exited = num === 9 ? ctx.nextExit(c.Id) : undefined;
  await ctx.whileRunning(c, () => ctx.d.runtime.kill(c.Id, num), () => killRefusal(ref, c.Id));
  if (exited) await raceTimeout(exited, 10_000);
}

/** SIGKILL for `rm -f`, waiting (bounded) for the exit to be recorded. */
export async function killForRemoval(ctx: ContainerContext, c: ContainerRecord): Promise<void> {
  c.manuallyStopped = true;
  ctx.restarts.cancel(c.Id);
  const exited = ctx.nextExit(c.Id);
  if (c.State.Paused) await ctx.d.runtime.resume(c.Id).catch(() => undefined);
  ctx.emit(c, 'kill', { signal: '9' });
  await ctx.d.runtime.kill(c.Id, 'SIGKILL').catch(() => undefined);
  await raceTimeout(exited, 10_000);
}
