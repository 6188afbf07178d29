import { exactMatch, matchKVList, type FilterArgs } from '../../common/filters.js';
import type { BerthEvent } from './event-bus.js';

// GET /events filters (moby daemon/events/filter.go): type, event/action, container, image,
// network, volume and label, each a predicate; an event is sent when every one holds.

const ACTOR_TYPES = ['container', 'image', 'network', 'volume'] as const;

/** `event=start` also takes `exec_start: sh -c …` and `health_status: healthy`. */
function actionMatches(f: FilterArgs, action: string): boolean {
  const wanted = f.event;
  return !wanted?.length || wanted.some((a) => action === a || action.startsWith(a + ':'));
}

/** A `container=` (`image=`, …) value names the actor by id, name or image; 3+ characters may be a prefix. */
function actorMatches(f: FilterArgs, type: (typeof ACTOR_TYPES)[number], e: BerthEvent): boolean {
  const wanted = f[type];
  if (!wanted?.length) return true;
  if (e.Type !== type) return false;
  const names = [e.Actor.ID, e.Actor.Attributes.name, e.Actor.Attributes.image].filter((n): n is string => !!n);
  return wanted.some((w) => names.some((n) => n === w || (w.length >= 3 && n.startsWith(w))));
}

/** Docker's /events filters: type, event/action, container, image, network, volume, label. */
export function matchesEventFilters(e: BerthEvent, filters: FilterArgs): boolean {
  return (
    exactMatch(filters, 'type', e.Type) &&
    actionMatches(filters, e.Action) &&
    ACTOR_TYPES.every((t) => actorMatches(filters, t, e)) &&
    matchKVList(filters, 'label', e.Actor.Attributes)
  );
}
