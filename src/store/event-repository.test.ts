import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, type BerthEvent } from '../engine/events/event-bus.js';
import { openDatabase } from './database.js';
import { EventRepository } from './event-repository.js';

test('events are kept across a reopen, bounded, and answered by time range', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-events-'));
  try {
    const file = join(dir, 'berth.db');
    let db = openDatabase(file);
    const bus = new EventBus(10, new EventRepository<BerthEvent>(db, 300));
    for (let i = 0; i < 450; i++) bus.emit({ Type: 'container', Action: 'start', Actor: { ID: `c${i}` } });
    db.close();
    db = openDatabase(file);
    const after = new EventBus(10, new EventRepository<BerthEvent>(db, 300));
    const all = after.history(0);
    assert.equal(all.length, 300, 'the oldest go once more than `keep` are stored');
    assert.equal(all.at(-1)!.Actor.ID, 'c449');
    const mid = all[100]!.timeNano;
    assert.ok(after.history(mid).every((e) => e.timeNano >= mid));
    assert.ok(after.history(0, mid).every((e) => e.timeNano <= mid));
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
