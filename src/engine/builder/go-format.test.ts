import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration, goHealthcheck, goQuoted, healthcheckFlags } from './go-format.js';

// The Go spellings dockerd's history uses, pinned.

test("Go's Duration.String()", () => {
  const cases: [number, string][] = [[0, '0s'], [500, '500ns'], [1500, '1.5µs'], [5e8, '500ms'], [30e9, '30s'], [90e9, '1m30s'], [3600e9, '1h0m0s'], [3723.5e9, '1h2m3.5s']];
  for (const [ns, text] of cases) assert.equal(goDuration(ns), text, String(ns));
});

test("Go's %q of a []string and of a *HealthConfig, retries as a rune", () => {
  assert.equal(goQuoted(['a', 'b c', 'd"e']), '["a" "b c" "d\\"e"]');
  assert.equal(goHealthcheck({ Test: ['NONE'] }), `&{["NONE"] "0s" "0s" "0s" "0s" '\\x00'}`);
  assert.equal(goHealthcheck({ Test: ['CMD', 'true'], Interval: 5e9, Retries: 65 }), `&{["CMD" "true"] "5s" "0s" "0s" "0s" 'A'}`);
  assert.equal(goHealthcheck({ Retries: 10 }), `&{[] "0s" "0s" "0s" "0s" '\\n'}`);
});

test('HEALTHCHECK flags: Go durations in nanoseconds, an invalid one in time.ParseDuration words', () => {
  assert.deepEqual(healthcheckFlags({ interval: '1m30s', timeout: '500ms', 'start-period': '1.5h', retries: '4' }), { Interval: 90e9, Timeout: 5e8, StartPeriod: 5400e9, Retries: 4 });
  assert.throws(() => healthcheckFlags({ timeout: '10' }), { message: 'time: invalid duration "10"' });
});
