import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, summarize } from './stats.js';

test('median of an even count is the mean of the middle two; p90 is a real sample', () => {
  const s = summarize([4, 1, 3, 2]);
  assert.equal(s.median, 2.5);
  assert.equal(s.p90, 4);
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
});

test('percentiles of ten samples and of none', () => {
  const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  assert.equal(percentile(ten, 90), 9);
  assert.equal(percentile(ten, 50), 5.5);
  assert.equal(percentile([7], 90), 7);
  assert.deepEqual(summarize([]), { n: 0, median: null, p90: null, min: null, max: null });
});
