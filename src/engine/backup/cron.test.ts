import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCron } from './cron.js';

const at = (s: string) => new Date(s);

test('every minute, steps, ranges, lists and names', () => {
  assert.deepEqual(parseCron('* * * * *').next(at('2026-01-01T10:00:30')), at('2026-01-01T10:01:00'));
  assert.deepEqual(parseCron('*/15 * * * *').next(at('2026-01-01T10:01:00')), at('2026-01-01T10:15:00'));
  assert.deepEqual(parseCron('0 3 * * *').next(at('2026-01-01T03:00:00')), at('2026-01-02T03:00:00'));
  assert.deepEqual(parseCron('30 1-2 * * *').next(at('2026-01-01T01:30:00')), at('2026-01-01T02:30:00'));
  assert.deepEqual(parseCron('0 0 1 jan,jul *').next(at('2026-02-01T00:00:00')), at('2026-07-01T00:00:00'));
  // Monday 5 January 2026; Sunday as 0 or 7 or sun.
  assert.deepEqual(parseCron('0 12 * * mon').next(at('2026-01-01T00:00:00')), at('2026-01-05T12:00:00'));
  assert.deepEqual(parseCron('0 12 * * 7').next(at('2026-01-01T00:00:00')), at('2026-01-04T12:00:00'));
  // Both day fields restricted: either matches (the 10th, or a Monday).
  assert.deepEqual(parseCron('0 0 10 * 1').next(at('2026-01-06T00:00:00')), at('2026-01-10T00:00:00'));
  assert.deepEqual(parseCron('0 0 29 2 *').next(at('2026-01-01T00:00:00')), at('2028-02-29T00:00:00'));
});

test('bad expressions are refused with the field named', () => {
  assert.throws(() => parseCron('* * * *'), /want 5 fields/);
  assert.throws(() => parseCron('60 * * * *'), /bad field "60"/);
  assert.throws(() => parseCron('* * * * */0'), /bad field/);
  assert.throws(() => parseCron('5-1 * * * *'), /bad field/);
  assert.throws(() => parseCron('0 0 31 2 *').next(at('2026-01-01T00:00:00')), /never matches/);
});
