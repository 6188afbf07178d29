// POST /containers/{id}/update: resources changed live on a running container and kept for its
// next start, and the restart policy.
import { ConflictError, InvalidArgumentError } from '../../common/errors.js';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord, Resources, RestartPolicy } from './container-model.js';

/** container.UpdateConfig: the resources and the restart policy. */
export type UpdateBody = Resources & { RestartPolicy?: RestartPolicy | null };

const RESOURCE_KEYS: (keyof Resources)[] = [
  'CpuShares', 'Memory', 'CgroupParent', 'BlkioWeight', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod',
  'CpuRealtimeRuntime', 'CpusetCpus', 'CpusetMems', 'MemoryReservation', 'MemorySwap', 'NanoCpus',
  'OomKillDisable', 'PidsLimit',
];

export async function updateContainer(ctx: ContainerContext, c: ContainerRecord, body: UpdateBody): Promise<{ Warnings: string[] }> {
  const changes: Record<string, unknown> = {};
  for (const k of RESOURCE_KEYS) if (body[k] !== undefined && body[k] !== null) changes[k] = body[k];
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
    await ctx.whileRunning(c, () => ctx.d.runtime.update(c.Id, changes)).catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
  Object.assign(c.HostConfig, changes);
  ctx.d.repo.save(c);
  ctx.emit(c, 'update');
  return { Warnings: [] };
}
