import { filterTime, matchLabels, validateFilters, type FilterArgs } from '../../common/filters.js';
import type { EventSink } from '../events/event-bus.js';
import type { ContainerRecord } from './container-model.js';
import { reclaimedSpace, trySize, type ContainerSize, type ContainerSizer } from './container-sizes.js';

/** The filters POST /containers/prune takes (moby's containersAcceptedFilters). */
export const CONTAINER_PRUNE_FILTERS = ['label', 'label!', 'until'];

/** What pruning needs from the container service. */
export interface ContainerPruneDeps {
  list(): ContainerRecord[];
  /** Removes a stopped container (never forced) and whatever hangs off it (exec sessions). */
  remove(id: string): Promise<void>;
  size?: ContainerSizer;
  /** dockerd logs one `prune` event with the bytes reclaimed. */
  events?: EventSink;
}

export interface ContainerPruneReport {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** The containers a prune with these filters takes: stopped ones, created before `until`, with the labels. */
export function pruneCandidates(all: readonly ContainerRecord[], filters: FilterArgs, now = Date.now()): ContainerRecord[] {
  validateFilters(filters, CONTAINER_PRUNE_FILTERS);
  // Read once, so a bad value is refused even when nothing could be pruned.
  const until = filterTime(filters, 'until', now);
  return all.filter(
    (c) =>
      !c.State.Running &&
      !c.State.Restarting &&
      (until === undefined || Date.parse(c.Created) * 1e6 < until) &&
      matchLabels(filters, c.Config.Labels ?? {}),
  );
}

/** POST /containers/prune: one at a time, each measured just before it goes. */
export async function pruneContainers(d: ContainerPruneDeps, filters: FilterArgs): Promise<ContainerPruneReport> {
  const deleted: string[] = [];
  const sizes: (ContainerSize | undefined)[] = [];
  for (const c of pruneCandidates(d.list(), filters)) {
    const size = await trySize(d.size, c.Id);
    await d.remove(c.Id);
    deleted.push(c.Id);
    sizes.push(size);
  }
  const report = { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimedSpace(sizes) };
  d.events?.emit({ Type: 'container', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(report.SpaceReclaimed) } } });
  return report;
}
