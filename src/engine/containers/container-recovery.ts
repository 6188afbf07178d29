// After a daemon restart: containers whose monitor still runs are adopted again, those that
// exited meanwhile get their exit recorded, a removal cut short is finished, and the restart
// policies bring back what they ask for, each after the containers it needs.
import type { ContainerContext } from './container-context.js';
import { onExit, watchExit } from './container-exit.js';
import type { ContainerRecord } from './container-model.js';
import { mayBeLive, withStatus } from './container-state.js';
import type { ExitResult } from './ports.js';

/** How many containers berthd's restart recovers at once. */
const RECOVER_CONCURRENCY = 16;
/** How long an exit file of a container gone meanwhile is waited for. */
const EXIT_FILE_WAIT_MS = 250;

type RuntimeStates = Map<string, { status: string; pid: number } | null>;

export async function recoverContainers(ctx: ContainerContext): Promise<void> {
  ctx.restarts.deferRestarts();
  // One runtime `state` exec per container: a few at once, so 500 containers are not 500 in a row.
  const queue = [...ctx.byId.values()];
  const live = queue.filter((c) => mayBeLive(c.State)).map((c) => c.Id);
  const states = live.length ? await ctx.d.runtime.states?.(live).catch(() => undefined) : undefined;
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) await recoverOne(ctx, c, states);
  };
  await Promise.all(Array.from({ length: Math.min(RECOVER_CONCURRENCY, queue.length) }, worker));
  // lifecycle: what the restart policies bring back, each after the containers it needs.
  await ctx.restarts.startDeferred();
}

async function recoverOne(ctx: ContainerContext, c: ContainerRecord, states?: RuntimeStates): Promise<void> {
  const { d } = ctx;
  if (c.State.Status === 'removing') {
    // As dockerd's restore resets RemovalInProgress: otherwise the remove refuses ("already in progress").
    c.State = withStatus(c.State, 'exited');
    await ctx.ops.remove(c.Id, { force: true }).catch((err) => d.logger.warn({ err, id: c.Id }, 'finishing removal'));
    return;
  }
  if (!mayBeLive(c.State)) return;
  const st = states?.has(c.Id) ? states.get(c.Id)! : await d.runtime.state(c.Id).catch(() => null);
  if (st && (st.status === 'running' || st.status === 'paused')) {
    c.State = withStatus(c.State, st.status, { Pid: st.pid });
    d.repo.save(c);
    watchExit(ctx, c, c.generation);
    ctx.health?.start(c);
    d.logger.info({ id: c.Id }, 'adopted running container');
  } else if (!c.State.Running) {
    // lifecycle: it was waiting out its restart delay when berthd went down.
    ctx.restarts.maybeRestart(c);
  } else {
    // Gone while we were away: the exit file (if the monitor wrote one) tells the code; after
    // a reboot there is none (nor a run dir): 255, as dockerd records a lost container.
    const unknown = (): ExitResult => ({ exitCode: 255, oomKilled: false, finishedAt: new Date() });
    const exit = await Promise.race([
      d.runtime.waitExit(c.Id).catch(unknown),
      new Promise<ExitResult>((res) => setTimeout(() => res(unknown()), EXIT_FILE_WAIT_MS)),
    ]);
    await onExit(ctx, c.Id, c.generation, exit);
    d.logger.info({ id: c.Id, exitCode: exit.exitCode }, 'container exited while berthd was away');
  }
}
