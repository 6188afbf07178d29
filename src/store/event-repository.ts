import type { Db } from './database.js';

/** An event as stored: its time (ns) for range queries and the message itself. */
export interface StoredEvent {
  timeNano: number;
}

/**
 * The only SQL for events: the most recent `keep` events, oldest dropped as new ones come (Docker
 * keeps 1000 in memory and forgets them at a restart; berth keeps more, on disk).
 */
export class EventRepository<E extends StoredEvent> {
  private readonly stmts;
  private sinceTrim = 0;

  constructor(
    db: Db,
    private readonly keep = 5000,
  ) {
    this.stmts = {
      add: db.prepare('INSERT INTO events (time_nano, doc) VALUES (?, ?)'),
      range: db.prepare('SELECT doc FROM events WHERE time_nano >= ? AND time_nano <= ? ORDER BY seq'),
      trim: db.prepare('DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?'),
    };
    this.stmts.trim.run(keep);
  }

  add(e: E): void {
    this.stmts.add.run(Math.trunc(e.timeNano), JSON.stringify(e));
    // Trimming in batches keeps each insert a single statement.
    if (++this.sinceTrim >= 100) {
      this.sinceTrim = 0;
      this.stmts.trim.run(this.keep);
    }
  }

  /** Events with time in [sinceNano, untilNano], oldest first, at most `keep` (+ one batch). */
  range(sinceNano: number, untilNano: number): E[] {
    return (this.stmts.range.all(Math.trunc(sinceNano), Math.min(Math.trunc(untilNano), Number.MAX_SAFE_INTEGER * 1000)) as { doc: string }[]).map(
      (r) => JSON.parse(r.doc) as E,
    );
  }
}
