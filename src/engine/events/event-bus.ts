import { EventEmitter } from 'node:events';

/** Docker's event message (GET /events). The legacy status/id/from fields are filled for containers. */
export interface BerthEvent {
  Type: 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin' | 'service' | 'node' | 'secret' | 'config' | 'builder';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

export type EventInput = Pick<BerthEvent, 'Type' | 'Action'> & { Actor: { ID: string; Attributes?: Record<string, string> } };

export interface EventSink {
  emit(e: EventInput): void;
}

/** Where the bus keeps its history beyond this process (the store's event repository). */
export interface EventHistoryStore {
  add(e: BerthEvent): void;
  range(sinceNano: number, untilNano: number): BerthEvent[];
}

/**
 * In-process event bus. Keeps the most recent events so `/events?since=` can replay them, and
 * fans new ones out to subscribers (API streams, the restart manager).
 */
export class EventBus implements EventSink {
  private readonly emitter = new EventEmitter();
  private readonly recent: BerthEvent[] = [];

  constructor(
    private readonly keep = 1000,
    /** With a store, the history outlives berthd restarts; a failing store never loses a live event. */
    private readonly store?: EventHistoryStore,
    private readonly onStoreError: (err: unknown) => void = () => undefined,
  ) {
    this.emitter.setMaxListeners(0);
  }

  emit(input: EventInput): void {
    const now = process.hrtime.bigint();
    const wall = BigInt(Date.now()) * 1_000_000n + (now % 1_000_000n);
    const attributes = { ...(input.Actor.Attributes ?? {}) };
    const e: BerthEvent = {
      Type: input.Type,
      Action: input.Action,
      Actor: { ID: input.Actor.ID, Attributes: attributes },
      scope: 'local',
      time: Number(wall / 1_000_000_000n),
      timeNano: Number(wall),
    };
    if (input.Type === 'container') {
      e.status = input.Action;
      e.id = input.Actor.ID;
      if (attributes.image) e.from = attributes.image;
    }
    this.recent.push(e);
    if (this.recent.length > this.keep) this.recent.shift();
    try {
      this.store?.add(e);
    } catch (err) {
      this.onStoreError(err);
    }
    this.emitter.emit('event', e);
  }

  /** Events already recorded with time in [sinceNano, untilNano]. */
  history(sinceNano: number, untilNano = Number.MAX_SAFE_INTEGER * 1000): BerthEvent[] {
    if (this.store) {
      try {
        return this.store.range(sinceNano, untilNano);
      } catch (err) {
        this.onStoreError(err);
      }
    }
    return this.recent.filter((e) => e.timeNano >= sinceNano && e.timeNano <= untilNano);
  }

  subscribe(fn: (e: BerthEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}

/** Docker's /events filters: type, event/action, container, image, network, volume, label, daemon. */
export function matchesEventFilters(e: BerthEvent, filters: Record<string, string[]>): boolean {
  const has = (key: string, value: string | undefined) =>
    !filters[key]?.length || (value !== undefined && filters[key]!.includes(value));
  const name = e.Actor.Attributes.name;
  if (!has('type', e.Type)) return false;
  if (filters.event?.length && !filters.event.some((a) => e.Action === a || e.Action.startsWith(a + ':'))) return false;
  for (const t of ['container', 'image', 'network', 'volume'] as const) {
    const wanted = filters[t];
    if (!wanted?.length) continue;
    if (e.Type !== t) return false;
    const ids = [e.Actor.ID, name, e.Actor.Attributes.image].filter(Boolean) as string[];
    if (!wanted.some((w) => ids.some((id) => id === w || (w.length >= 3 && id.startsWith(w))))) return false;
  }
  if (filters.label?.length) {
    for (const l of filters.label) {
      const [k, v] = l.split('=', 2);
      if (!(k! in e.Actor.Attributes) || (v !== undefined && e.Actor.Attributes[k!] !== v)) return false;
    }
  }
  return true;
}
