// Remove: refused while running unless forced (a forced one kills first), then everything the
// container had goes: runtime state, network, layer, anonymous volumes on request, files, record.
import { rmSync } from 'node:fs';
import type { ContainerContext } from './container-context.js';
import { releaseResources } from './container-exit.js';
import type { ContainerRecord } from './container-model.js';
import { assertCanRemove, markRemoving } from './container-state.js';
import { killForRemoval } from './container-stop.js';

export interface RemoveOptions {
  force?: boolean;
  volumes?: boolean;
}

export async function removeContainer(ctx: ContainerContext, ref: string, o: RemoveOptions): Promise<void> {
  const c = ctx.get(ref);
  // A forced remove never queues behind a stop that waits (t=-1 waits without limit): as dockerd,
  // it kills at once, which also ends that stop; the removal itself then runs in turn.
  if (o.force && c.State.Running && ctx.locks.has(c.Id)) {
    ctx.removalPending.add(c.Id);
    await killForRemoval(ctx, c);
  }
  return ctx.locked(c.Id, () => removeLocked(ctx, c, o)).finally(() => ctx.removalPending.delete(c.Id));
}

async function removeLocked(ctx: ContainerContext, c: ContainerRecord, o: RemoveOptions): Promise<void> {
  const { d } = ctx;
  if (!ctx.byId.has(c.Id)) return;
  assertCanRemove(c, !!o.force);
  ctx.restarts.cancel(c.Id);
  c.manuallyStopped = true;
  if (c.State.Running) await killForRemoval(ctx, c);
  c.State = markRemoving(c.State);
  await releaseResources(ctx, c);
  await d.runtime.cleanup?.(c.Id).catch(() => undefined);
  await d.rootfs.removeContainerLayer(c.Id);
  await d.mounts?.release(c, !!o.volumes).catch((err) => d.logger.warn({ err, id: c.Id }, 'releasing mounts'));
  rmSync(d.paths.containerDir(c.Id), { recursive: true, force: true });
  rmSync(d.paths.containerRunDir(c.Id), { recursive: true, force: true });
  d.repo.remove(c.Id);
  ctx.byId.delete(c.Id);
  ctx.emit(c, 'destroy');
  ctx.signals.emit(`removed:${c.Id}`);
}
