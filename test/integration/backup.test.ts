import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, berth, run, ROOT, TEST_HOST } from '../helpers/daemon.js';
import { populateTree, snapshotTree } from '../helpers/tree-snapshot.js';

// Volume export/import, container backup and restore into a second berthd, scheduled backups.

const tag = `bk${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'berth-backup-test-'));
const volumes: string[] = [];
const containers: string[] = [];

after(async () => {
  for (const c of containers) await berth('rm', '-f', c);
  for (const v of volumes) await berth('volume', 'rm', '-f', v);
  rmSync(work, { recursive: true, force: true });
});

async function ok(...args: string[]): Promise<string> {
  const r = await berth(...args);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function newVolume(name: string): Promise<string> {
  const full = `${tag}-${name}`;
  volumes.push(full);
  await ok('volume', 'create', full);
  return ((await api().call('GET', `/volumes/${full}`)) as { Mountpoint: string }).Mountpoint;
}

test('volume export and import keep every file as it was (owners, modes, xattrs, ACLs, links, sparse, devices)', async () => {
  const src = await newVolume('export-src');
  populateTree(src);
  const file = join(work, 'vol.tar');
  await ok('volume', 'export', `${tag}-export-src`, '-o', file);
  assert.equal(existsSync(join(work, '.vol.tar.partial')), false);
  // Plain PAX tar that GNU tar lists.
  assert.match(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }), /^\.\/sub\/file\.txt$/m);

  const dst = await newVolume('import-dst');
  await ok('volume', 'import', `${tag}-import-dst`, file);
  assert.deepEqual(snapshotTree(dst), snapshotTree(src));
  assert.ok(statSync(join(dst, 'sparse.img')).blocks * 512 < 1 << 20, 'the sparse file is still sparse');

  // zstd-compressed input through stdin.
  const dst2 = await newVolume('import-zst');
  execFileSync('zstd', ['-q', '-f', file, '-o', `${file}.zst`]);
  const r = await run('sh', ['-c', `node ${join(ROOT, 'dist', 'berth.mjs')} -H ${TEST_HOST} volume import ${tag}-import-zst - < ${file}.zst`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(snapshotTree(dst2), snapshotTree(src));

  const missing = await berth('volume', 'export', `${tag}-nope`, '-o', join(work, 'x.tar'));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no such volume/i);
  assert.equal(existsSync(join(work, 'x.tar')), false);
});
