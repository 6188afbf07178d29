import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { openDatabase } from '../../store/database.js';
import { ImageService } from './image-service.js';
import { ImageStore } from './image-store.js';
import { testImageConfig } from './test-options.js';

// List and prune filters through common/filters, on images stored directly (no registry needed).

function setup(t: { after(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'berth-imglist-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const svc = new ImageService({ db, paths, config: testImageConfig(), logger: silentLogger, events: { emit: () => undefined } });
  const store = new ImageStore({ db, paths, logger: silentLogger });
  t.after(() => {
    db.close();
    rmSync(root, { recursive: true, force: true });
  });
  let n = 0;
  const add = (created: string, labels: Record<string, string>, tag?: string): string => {
    const id = `sha256:${(++n).toString(16).padStart(64, 'a')}`;
    const config = JSON.stringify({ created, architecture: 'amd64', os: 'linux', config: { Labels: labels }, rootfs: { type: 'layers', diff_ids: [] } });
    store.repo.save({ id, config, manifestDigest: null, layers: [], size: n, created: 0 }, tag ? [tag] : [], []);
    return id;
  };
  return { svc, add };
}

const ids = (list: Record<string, unknown>[]): string[] => list.map((i) => i.Id as string).sort();
const never = () => false;

test('list: label (key and key=value, all must match) and until (timestamps, RFC 3339, durations)', (t) => {
  const { svc, add } = setup(t);
  const old = add('2020-01-01T00:00:00Z', { tier: 'web', keep: '' }, 'docker.io/library/old:1');
  const mid = add('2022-06-01T00:00:00Z', { tier: 'db' }, 'docker.io/library/mid:1');
  const now = add(new Date().toISOString(), { tier: 'web' }, 'docker.io/library/now:1');
  assert.deepEqual(ids(svc.list({ filters: { label: ['tier=web'] } })), [old, now].sort());
  assert.deepEqual(ids(svc.list({ filters: { label: ['tier=web', 'keep'] } })), [old]);
  assert.deepEqual(ids(svc.list({ filters: { label: ['tier'] } })), [old, mid, now].sort());
  assert.deepEqual(ids(svc.list({ filters: { until: ['2021-01-01T00:00:00Z'] } })), [old]);
  assert.deepEqual(ids(svc.list({ filters: { until: [String(Date.parse('2023-01-01') / 1000)] } })), [old, mid].sort());
  assert.deepEqual(ids(svc.list({ filters: { until: ['1h'] } })), [old, mid].sort());
});

test('list: an unknown key, label! and a bad dangling value are invalid filters', (t) => {
  const { svc } = setup(t);
  assert.throws(() => svc.list({ filters: { bogus: ['x'] } }), (e: Error) => e instanceof InvalidArgumentError && e.message === "invalid filter 'bogus'");
  assert.throws(() => svc.list({ filters: { 'label!': ['x'] } }), InvalidArgumentError);
  assert.throws(() => svc.list({ filters: { dangling: ['maybe'] } }), (e: Error) => e.message === "invalid filter 'dangling=maybe'");
});

test('prune: label, label! and until choose what goes; unknown keys are refused', (t) => {
  const { svc, add } = setup(t);
  const a = add('2020-01-01T00:00:00Z', { keep: 'yes' });
  const b = add('2020-01-01T00:00:00Z', { tier: 'web' });
  const c = add(new Date().toISOString(), { tier: 'web' });
  assert.throws(() => svc.prune({ filters: { bogus: ['1'] } }, never), (e: Error) => e.message === "invalid filter 'bogus'");
  const r1 = svc.prune({ filters: { 'label!': ['keep=yes'], until: ['24h'] } }, never);
  assert.deepEqual(r1.ImagesDeleted, [{ Deleted: b }]);
  const r2 = svc.prune({ filters: { label: ['tier=web'] } }, never);
  assert.deepEqual(r2.ImagesDeleted, [{ Deleted: c }]);
  assert.deepEqual(ids(svc.list({ all: true })), [a]);
});
