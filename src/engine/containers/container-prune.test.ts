import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord } from './container-model.js';
import { pruneCandidates, pruneContainers } from './container-prune.js';

function record(id: string, o: { running?: boolean; restarting?: boolean; created?: string; labels?: Record<string, string> } = {}): ContainerRecord {
  return {
    Id: id,
    Created: o.created ?? '2026-01-01T00:00:00Z',
    Config: { Labels: o.labels },
    State: { Running: !!o.running, Restarting: !!o.restarting },
  } as unknown as ContainerRecord;
}

const ids = (list: ContainerRecord[]) => list.map((c) => c.Id);

test('prune takes stopped containers only, never running or restarting ones', () => {
  const all = [record('a'), record('b', { running: true }), record('c', { restarting: true }), record('d')];
  assert.deepEqual(ids(pruneCandidates(all, {})), ['a', 'd']);
});

test('prune filters: label, label! and until (timestamps, dates and durations)', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const all = [
    record('old', { created: '2026-01-01T00:00:00Z', labels: { keep: '1', tier: 'web' } }),
    record('new', { created: '2026-05-31T23:30:00Z', labels: { tier: 'web' } }),
    record('bare', { created: '2026-01-01T00:00:00Z' }),
  ];
  assert.deepEqual(ids(pruneCandidates(all, { label: ['tier=web'] }, now)), ['old', 'new']);
  assert.deepEqual(ids(pruneCandidates(all, { 'label!': ['keep'] }, now)), ['new', 'bare']);
  assert.deepEqual(ids(pruneCandidates(all, { until: ['1h'] }, now)), ['old', 'bare']);
  assert.deepEqual(ids(pruneCandidates(all, { until: ['2026-05-31T23:00:00Z'], label: ['tier'] }, now)), ['old']);
  assert.deepEqual(ids(pruneCandidates(all, { until: [String(Date.parse('2026-02-01T00:00:00Z') / 1000)] }, now)), ['old', 'bare']);
});

test('prune refuses unknown filters and bad until values, even with nothing to prune', () => {
  assert.throws(() => pruneCandidates([], { dangling: ['true'] }), /invalid filter 'dangling'/);
  assert.throws(() => pruneCandidates([], { until: ['yesterday'] }), /invalid value for until: yesterday/);
});

test('prune removes each candidate and reports the writable layers it freed', async () => {
  const removed: string[] = [];
  const sizes: Record<string, number> = { a: 100, d: 23 };
  const report = await pruneContainers(
    {
      list: () => [record('a'), record('b', { running: true }), record('d'), record('e')],
      remove: async (id) => void removed.push(id),
      size: (id) => {
        if (!(id in sizes)) throw new Error('gone');
        return { rw: sizes[id]!, rootFs: sizes[id]! + 1000 };
      },
    },
    {},
  );
  assert.deepEqual(removed, ['a', 'd', 'e']);
  assert.deepEqual(report, { ContainersDeleted: ['a', 'd', 'e'], SpaceReclaimed: 123 });
});

test('a prune that takes nothing answers null, as dockerd', async () => {
  const report = await pruneContainers({ list: () => [record('x', { running: true })], remove: async () => assert.fail('nothing to remove') }, {});
  assert.deepEqual(report, { ContainersDeleted: null, SpaceReclaimed: 0 });
});
