import { createdBefore, exactMatch, filterBool, fuzzyMatch, matchLabels, validateFilters, type FilterArgs } from '../../common/filters.js';
import { PREDEFINED_NETWORKS } from './network-models.js';
import type { NetworkDoc } from './network-types.js';

// GET /networks and POST /networks/prune filters, with the keys dockerd accepts for each.

const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'label!', 'name', 'scope', 'type'];
const PRUNE_FILTERS = ['label', 'label!', 'until'];

/** A network as the filters see it: its document and whether any container is connected. */
export interface FilteredNetwork {
  doc: NetworkDoc;
  inUse: boolean;
}

/**
 * The predicate for GET /networks: driver, scope and type exactly, id by prefix, name by substring
 * (as berth always has), label/label!, and dangling (a user network without containers).
 */
export function networkListFilter(f: FilterArgs): (n: FilteredNetwork) => boolean {
  validateFilters(f, LIST_FILTERS);
  const dangling = filterBool(f, 'dangling');
  const names = f.name ?? [];
  return ({ doc: n, inUse }) => {
    const builtin = PREDEFINED_NETWORKS.includes(n.Name);
    if (!exactMatch(f, 'driver', n.Driver) || !fuzzyMatch(f, 'id', n.Id)) return false;
    if (names.length && !names.some((x) => n.Name.includes(x))) return false;
    if (!exactMatch(f, 'scope', n.Scope) || !exactMatch(f, 'type', builtin ? 'builtin' : 'custom')) return false;
    if (dangling !== undefined && dangling !== (!builtin && !inUse)) return false;
    return matchLabels(f, n.Labels);
  };
}

/** The predicate for POST /networks/prune: user networks without containers, by until and labels. */
export function networkPruneFilter(f: FilterArgs, now = Date.now()): (n: FilteredNetwork) => boolean {
  validateFilters(f, PRUNE_FILTERS);
  // Parse `until` once, so a bad value is a 400 even when nothing could be pruned.
  createdBefore(f, 0, now);
  return ({ doc: n, inUse }) => {
    if (PREDEFINED_NETWORKS.includes(n.Name) || inUse) return false;
    return createdBefore(f, n.Created, now) && matchLabels(f, n.Labels);
  };
}
