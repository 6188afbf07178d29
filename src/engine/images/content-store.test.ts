import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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

test('leftovers: day-old ingests always go, scratch and blob temp files at start-up, fresh partial downloads stay', async (t) => {
  const { cs, paths, cleanup } = store();
  t.after(cleanup);
  mkdirSync(paths.ingestDir, { recursive: true });
  const fresh = join(paths.ingestDir, `sha256-${'a'.repeat(64)}`);
  const old = join(paths.ingestDir, `sha256-${'b'.repeat(64)}`);
  const scratch = join(paths.ingestDir, 'load-123-abcdef');
  writeFileSync(fresh, 'partial');
  writeFileSync(old, 'partial from two days ago');
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  utimesSync(old, twoDaysAgo, twoDaysAgo);
  mkdirSync(scratch);
  writeFileSync(join(scratch, 'manifest.json'), '[]');
  const blob = paths.blob(sha256Digest('x'));
  mkdirSync(dirname(blob), { recursive: true });
  writeFileSync(`${blob}.tmp-1-abc`, 'x');

  assert.deepEqual(cs.removeLeftovers({ startup: false }).map((r) => r.path), [old]);
  assert.deepEqual(readdirSync(paths.ingestDir).sort(), [basename(scratch), basename(fresh)].sort());
  const removed = cs.removeLeftovers({ startup: true });
  assert.deepEqual(removed.map((r) => r.path).sort(), [scratch, `${blob}.tmp-1-abc`].sort());
  assert.equal(removed.find((r) => r.path === scratch)!.bytes, 2);
  assert.deepEqual(readdirSync(paths.ingestDir), [basename(fresh)]);

  // An ingest in use is never removed, and a day-old one is not resumed.
  const digest = sha256Digest('resume me');
  const file = join(paths.ingestDir, digest.replace(':', '-'));
  writeFileSync(file, 'resume');
  utimesSync(file, twoDaysAgo, twoDaysAgo);
  const ing = cs.ingest(digest);
  assert.equal(ing.offset, 0);
  ing.write(Buffer.from('resume me'));
  utimesSync(file, twoDaysAgo, twoDaysAgo);
  assert.deepEqual(cs.removeLeftovers({ startup: false }), []);
  await ing.commit();
  assert.ok(cs.has(digest));
});
