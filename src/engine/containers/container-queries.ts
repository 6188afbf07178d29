import { ConflictError } from '../../common/errors.js';
import type { FilterArgs } from '../../common/filters.js';
import { listReadable } from '../../common/list-readable.js';
import type { Logger } from '../../common/logger.js';
import type { ContainerRecord } from './container-model.js';
import { sizesOf, type ContainerSizer } from './container-sizes.js';
import { filterContainers, inspectView, summaryView } from './container-views.js';
import { linkNamesByTarget } from './links.js';

// The read side of the container API (ps, inspect, top) over the container service's records.

export interface ContainerQueryDeps {
  list(): ContainerRecord[];
  get(ref: string): ContainerRecord;
  /** Resolves an image reference to its id, or undefined (the `ancestor` filter). */
  imageId(ref: string): string | undefined;
  /** Ids of the container's exec sessions (inspect's ExecIDs). */
  execIds(id: string): string[];
  graphDriverData(id: string): Record<string, string>;
  top(c: ContainerRecord, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  size?: ContainerSizer;
  logger: Logger;
}

/** GET /containers/json as parsed from the query. */
export interface ContainerListOptions {
  all: boolean;
  filters: FilterArgs;
  /** At most this many (newest first); 0 or less: no bound. */
  limit: number;
  size: boolean;
}

export type ContainerSummary = ReturnType<typeof summaryView>;
export type ContainerInspect = ReturnType<typeof inspectView>;

/** `docker ps`: filters, running-only unless `all` or a status filter, links as extra names, sizes. */
export async function listContainers(d: ContainerQueryDeps, o: ContainerListOptions): Promise<ContainerSummary[]> {
  const { filters } = o;
  let list = filterContainers(d.list(), filters, { imageId: d.imageId, container: (r) => d.get(r) });
  // An explicit status (or exited) filter already chose which states to show.
  if (!o.all && !filters.status?.length && !filters.exited?.length) list = list.filter((c) => c.State.Running);
  if (o.limit > 0) list = list.slice(0, o.limit);
  // Links of a record that cannot be read are left out, not the whole list.
  const linkNames = linkNamesByTarget(listReadable(d.logger, 'container links', d.list(), (c) => (linkNamesByTarget([c]), c)));
  const sizes = o.size && d.size ? await sizesOf(d.size, list.map((c) => c.Id)) : [];
  // One record the views cannot read (stored by an older berth) must not hide all the others.
  return listReadable(d.logger, 'container', list, (c, i) => summaryView(c, sizes[i], linkNames.get(c.Name)));
}

/** GET /containers/{name}/json; `size` measures the writable layer (a failure fails the request). */
export async function inspectContainer(d: ContainerQueryDeps, ref: string, o: { size: boolean }): Promise<ContainerInspect> {
  const c = d.get(ref);
  const size = o.size && d.size ? await d.size(c.Id) : undefined;
  return inspectView(c, { execIds: d.execIds(c.Id), graphDriver: d.graphDriverData(c.Id), size });
}

/** GET /containers/{name}/top: only a running container has processes to show. */
export async function topContainer(d: ContainerQueryDeps, ref: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
  const c = d.get(ref);
  // moby's errNotRunning / errContainerIsRestarting: conflicts, not bad requests.
  if (c.State.Restarting) throw new ConflictError(`Container ${c.Id} is restarting, wait until the container is running`);
  if (!c.State.Running) throw new ConflictError(`container ${c.Id} is not running`);
  return d.top(c, psArgs);
}
