import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration, parseTimeParam, parseTimeParamNs } from './time-param.js';

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

test('a unix time keeps every nanosecond, as a log line is stamped with them', () => {
  assert.equal(parseTimeParamNs('1795834889.123456789', 'since'), 1_795_834_889_123_456_789n);
  assert.equal(parseTimeParamNs('1795834889.1', 'since'), 1_795_834_889_100_000_000n);
  assert.equal(parseTimeParamNs('-1.5', 'since'), -500_000_000n);
  assert.equal(parseTimeParamNs('', 'since'), undefined);
});
