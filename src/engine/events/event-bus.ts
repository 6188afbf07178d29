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
  private lastWall = 0n;

  constructor(
    private readonly keep = 1000,
    /** With a store, the history outlives berthd restarts; a failing store never loses a live event. */
    private readonly store?: EventHistoryStore,
    private readonly onStoreError: (err: unknown) => void = () => undefined,
  ) {
    this.emitter.setMaxListeners(0);
  }

  emit(input: EventInput): void {
    // Wall-clock milliseconds with hrtime's sub-millisecond part; the two clocks' millisecond
    // edges differ, so an event can read earlier than the one before it. Times never go back
    // here: a replay bounded by one event's time must hold every event emitted before it.
    let wall = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    if (wall <= this.lastWall) wall = this.lastWall + 1n;
    this.lastWall = wall;
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
