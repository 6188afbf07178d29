import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRestartDelay, ranFor } from './restart-backoff.js';

test('restart delays double from 100 ms to a minute and start over after 10 s up', () => {
  let d: number | undefined;
  const seen: number[] = [];
  for (let i = 0; i < 12; i++) seen.push((d = nextRestartDelay(d, 50)));
  assert.deepEqual(seen.slice(0, 4), [100, 200, 400, 800]);
  assert.equal(seen.at(-1), 60_000);
  assert.equal(nextRestartDelay(60_000, 10_000), 100);
  assert.equal(ranFor({ StartedAt: '2026-01-01T00:00:00Z', FinishedAt: '2026-01-01T00:00:12Z' }), 12_000);
  assert.equal(ranFor({ StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '' }), 0);
});
