import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord } from './container-model.js';
import type { StatsSample } from './container-stats.js';
import { statsStream, type StatsStreamDeps } from './stats-stream.js';

/** A container whose run ends after `runs` samples; samples count up and name their predecessor. */
function fixture(running: boolean, runs = Infinity) {
  const c = { Id: 'c1', State: { Running: running } } as unknown as ContainerRecord;
  const waits: number[] = [];
  let n = 0;
  const deps: StatsStreamDeps = {
    get: (ref) => {
      if (ref !== 'c1') throw new Error(`No such container: ${ref}`);
      return c;
    },
    sample: (_c, previous) => {
      n++;
      if (n >= runs) c.State.Running = false;
      return { json: { n, pre: (previous as unknown as { n: number } | undefined)?.n ?? 0 }, sample: { n } as unknown as StatsSample };
    },
    sleep: async (ms) => void waits.push(ms),
  };
  return { deps, waits };
}

async function collect(it: AsyncIterable<Record<string, unknown>>, max = 10): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const s of it) {
    out.push(s);
    if (out.length >= max) break;
  }
  return out;
}

test('a missing container fails before any sample', () => {
  const { deps } = fixture(true);
  assert.throws(() => statsStream(deps, 'nope', { stream: true, oneShot: false }), /No such container: nope/);
});

test('stream=false waits for a second sample so precpu_stats is filled', async () => {
  const { deps, waits } = fixture(true);
  assert.deepEqual(await collect(statsStream(deps, 'c1', { stream: false, oneShot: false })), [{ n: 2, pre: 1 }]);
  assert.deepEqual(waits, [250]);
});

test('stream=false takes its first sample with the cheaper precpu sampler when there is one', async () => {
  const { deps, waits } = fixture(true);
  const precpu: ContainerRecord[] = [];
  deps.precpu = (c) => (precpu.push(c), { n: 'cpu only' } as unknown as StatsSample);
  assert.deepEqual(await collect(statsStream(deps, 'c1', { stream: false, oneShot: false })), [{ n: 1, pre: 'cpu only' }]);
  assert.equal(precpu.length, 1);
  assert.deepEqual(waits, [250]);
});

test('one-shot, or a stopped container, answers with the first sample at once', async () => {
  for (const [running, oneShot] of [[true, true], [false, false]]) {
    const { deps, waits } = fixture(running);
    assert.deepEqual(await collect(statsStream(deps, 'c1', { stream: false, oneShot })), [{ n: 1, pre: 0 }]);
    assert.deepEqual(waits, []);
  }
});

test('a stream sends a sample a second and ends with the one taken after the container stopped', async () => {
  const { deps, waits } = fixture(true, 3);
  assert.deepEqual(await collect(statsStream(deps, 'c1', { stream: true, oneShot: false })), [
    { n: 1, pre: 0 },
    { n: 2, pre: 1 },
    { n: 3, pre: 2 },
  ]);
  assert.deepEqual(waits, [1000, 1000]);
});

test('a stream ends when its client goes away', async () => {
  const { deps } = fixture(true);
  const abort = new AbortController();
  const out: unknown[] = [];
  for await (const s of statsStream(deps, 'c1', { stream: true, oneShot: false, signal: abort.signal })) {
    out.push(s);
    if (out.length === 2) abort.abort();
  }
  assert.equal(out.length, 2);
});
