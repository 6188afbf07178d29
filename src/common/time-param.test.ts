import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration, parseTimeParam } from './time-param.js';

test('since/until take unix times, Go durations back from now, and RFC 3339 dates', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  assert.equal(parseTimeParam('1700000000.5', 'until'), 1700000000.5e9);
  assert.equal(parseTimeParam('1h', 'until', now), (now - 3600_000) * 1e6);
  assert.equal(parseTimeParam('1h30m', 'until', now), (now - 5400_000) * 1e6);
  assert.equal(parseTimeParam('2026-11-28T11:00:00Z', 'until'), Date.parse('2026-11-28T11:00:00Z') * 1e6);
  assert.throws(() => parseTimeParam('yesterday', 'until'), /invalid value for until: yesterday/);
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('10'), undefined);
});
