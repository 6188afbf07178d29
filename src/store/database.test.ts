import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database.js';
import { migrations } from './migrations.js';

test('a new database is migrated to the latest version and reopens unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-db-'));
  try {
    const file = join(dir, 'berth.db');
    const db = openDatabase(file);
    assert.equal(db.pragma('user_version', { simple: true }), migrations.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.prepare('INSERT INTO volumes (name, doc) VALUES (?, ?)').run('v1', '{}');
    db.close();
    const again = openDatabase(file);
    assert.equal((again.prepare('SELECT count(*) AS n FROM volumes').get() as { n: number }).n, 1);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
