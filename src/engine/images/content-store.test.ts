import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthPaths } from '../../common/paths.js';
import { ContentStore, sha256Digest } from './content-store.js';

function store(): { cs: ContentStore; paths: BerthPaths; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'berth-content-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  return { cs: new ContentStore(paths), paths, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('an ingest verifies its digest and moves the blob into place', async (t) => {
  const { cs, paths, cleanup } = store();
  t.after(cleanup);
  const data = Buffer.from('hello blob '.repeat(1000));
  const digest = sha256Digest(data);
  const ing = cs.ingest(digest);
  ing.write(data.subarray(0, 5000));
  ing.write(data.subarray(5000));
  await ing.commit();
  assert.ok(cs.has(digest));
  assert.deepEqual(readFileSync(paths.blob(digest)), data);
  assert.deepEqual(readdirSync(paths.ingestDir), []);
});

test('a digest mismatch leaves no trace', async (t) => {
  const { cs, paths, cleanup } = store();
  t.after(cleanup);
  const digest = sha256Digest('expected');
  const ing = cs.ingest(digest);
  ing.write(Buffer.from('something else'));
  await assert.rejects(ing.commit(), /verification failed/);
  assert.ok(!cs.has(digest));
  assert.deepEqual(readdirSync(paths.ingestDir), []);
  assert.throws(() => cs.writeBuffer(digest, Buffer.from('nope')), /digest mismatch/);
  assert.ok(!existsSync(paths.blob(digest)));
});

test('an aborted ingest keeps its bytes and a new one resumes from them', async (t) => {
  const { cs, cleanup } = store();
  t.after(cleanup);
  const data = Buffer.from('0123456789'.repeat(100));
  const digest = sha256Digest(data);
  const first = cs.ingest(digest);
  first.write(data.subarray(0, 300));
  await first.abort();
  const second = cs.ingest(digest);
  assert.equal(second.offset, 300);
  const replayed: Buffer[] = [];
  for await (const c of second.replay()) replayed.push(c);
  assert.deepEqual(Buffer.concat(replayed), data.subarray(0, 300));
  second.write(data.subarray(300));
  await second.commit();
  assert.deepEqual(cs.read(digest), data);
});
