import { matchesEventFilters } from './event-filters.js';
import type { FilterArgs } from '../../common/filters.js';
import type { BerthEvent, EventBus } from './event-bus.js';

/** GET /events as parsed: nanosecond bounds and the filters. */
export interface EventStreamRequest {
  since?: number;
  until?: number;
  filters: FilterArgs;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/**
 * Sends the matching events: the recorded ones first when a bound is given (either bound alone
 * replays them, as dockerd), then live ones until `until` passes or the client leaves.
 */
export async function followEvents(bus: Pick<EventBus, 'history' | 'subscribe'>, o: EventStreamRequest, send: (e: BerthEvent) => void): Promise<void> {
  const { since, until } = o;
  const matching = (e: BerthEvent): void => {
    if (matchesEventFilters(e, o.filters)) send(e);
  };
  if (since !== undefined || until !== undefined) for (const e of bus.history(since ?? 0, until)) matching(e);
  const nowNano = Date.now() * 1e6;
  if ((until !== undefined && until <= nowNano) || o.signal.aborted) return;
  await new Promise<void>((resolve) => {
    const unsubscribe = bus.subscribe((e) => {
      if (until === undefined || e.timeNano <= until) matching(e);
    });
    const finish = () => {
      unsubscribe();
      clearTimeout(timer);
      o.signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = until !== undefined ? setTimeout(finish, (until - nowNano) / 1e6) : undefined;
    o.signal.addEventListener('abort', finish);
  });
}
