// A container's exit: recorded once per start (its generation), its resources released, then
// auto-remove or the restart policy decide what comes next.
import { stepTimer } from '../../common/step-timer.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord } from './container-model.js';
import { idleSettings } from './container-networking.js';
import { withStatus } from './container-state.js';
import type { ExitResult } from './ports.js';

/** Follows the runtime's exit of this start; a lost monitor counts as exit 255. */
export function watchExit(ctx: ContainerContext, c: ContainerRecord, generation: number): void {
  ctx.d.runtime.waitExit(c.Id).then(
    (r) => onExit(ctx, c.Id, generation, r),
    (err) => {
      ctx.d.logger.error({ err, id: c.Id }, 'lost track of container exit');
      void onExit(ctx, c.Id, generation, { exitCode: 255, oomKilled: false, finishedAt: new Date() });
    },
  );
}

export async function onExit(ctx: ContainerContext, id: string, generation: number, r: ExitResult): Promise<void> {
  const c = ctx.byId.get(id);
  if (!c || c.generation !== generation || !c.State.Running) return;
  ctx.health?.stop(c.Id);
  const steps = stepTimer(ctx.d.logger, 'exit', id);
  const exit = { Pid: 0, ExitCode: r.exitCode, OOMKilled: r.oomKilled, FinishedAt: r.finishedAt.toISOString() };
  // As dockerd, a container its policy restarts goes from running straight to restarting: while its
  // resources are released it must not look stopped (an rm without force would take it).
  const restartNext = !c.HostConfig.AutoRemove && ctx.restarts.wouldRestart(c);
  c.State = withStatus(c.State, restartNext ? 'restarting' : 'exited', exit);
  await releaseResources(ctx, c);
  steps.mark('release');
  c.NetworkSettings = idleSettings(ctx, c);
  ctx.d.repo.save(c);
  if (r.oomKilled) ctx.emit(c, 'oom');
  ctx.emit(c, 'die', { exitCode: String(r.exitCode) });
  ctx.signals.emit(`exit:${id}`, r);
  steps.mark('store+events');
  steps.done();
  if (c.HostConfig.AutoRemove) {
    await ctx.ops.remove(c.Id, { force: true, volumes: true }).catch((err) => ctx.d.logger.warn({ err, id }, 'auto-remove failed'));
    return;
  }
  if (!ctx.restarts.maybeRestart(c) && c.State.Status === 'restarting') {
    // A stop came in while the resources were released: no restart after all.
    c.State = withStatus(c.State, 'exited');
    ctx.d.repo.save(c);
  }
}

/** Runtime state, network and rootfs mount of a stopped container: everything but its files. */
export async function releaseResources(ctx: ContainerContext, c: ContainerRecord): Promise<void> {
  const { d } = ctx;
  // The three are independent once the process is gone; at once they cost the slowest of them.
  await Promise.all([
    d.runtime.delete(c.Id, { force: true }).catch((err) => d.logger.debug({ err, id: c.Id }, 'runtime delete')),
    d.networks.teardownContainer(c.Id).catch((err) => d.logger.warn({ err, id: c.Id }, 'network teardown')),
    d.rootfs.unmountContainerLayer(c.Id).catch((err) => d.logger.warn({ err, id: c.Id }, 'unmount')),
  ]);
}
