import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeLoad } from './load-client.js';

test('a load run is summarised as answered requests per second and latency percentiles', () => {
  const latencies = Array.from({ length: 100 }, (_, i) => (i + 1) / 1000);
  const r = summarizeLoad(latencies, 3, 2, ['/x: 500']);
  assert.equal(r.requests, 103);
  assert.equal(r.throughput, 50);
  assert.equal(r.p50, 0.0505);
  assert.equal(r.p99, 0.099);
  assert.deepEqual(r.errorSamples, ['/x: 500']);
});
