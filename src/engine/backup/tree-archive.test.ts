import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it, after } from 'node:test';
import { populateTree, snapshotTree } from '../../../test/helpers/tree-snapshot.js';
import { encodeHeader, END_OF_ARCHIVE, padding } from './tar-header.js';
import { extractTar } from '../../common/archive/extract.js';
import { BACKUP_EXTRACT } from './backup-extract.js';
import { digestObserver } from './member-digest.js';
import { treeTarStream } from './tree-pack.js';

const base = mkdtempSync(join(tmpdir(), 'berth-tree-'));
after(() => rmSync(base, { recursive: true, force: true }));

function archiveOf(entries: { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; linkname?: string; body?: string }[]): Readable {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    parts.push(encodeHeader({ name: e.name, type: e.type ?? 'file', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0, linkname: e.linkname }), body, padding(body.length));
  }
  parts.push(END_OF_ARCHIVE);
  return Readable.from([Buffer.concat(parts)]);
}

/** Extracts through the common extractor as restore does, into a new directory under `dst`'s parent. */
async function extractTo(dst: string, tar: Readable, o: { digests?: Map<string, string> } = {}): Promise<void> {
  await extractTar(tar, dst, BACKUP_EXTRACT, o.digests ? { observe: digestObserver(o.digests) } : {});
}

/** A new empty directory to extract into (the extractor's fresh-root contract). */
function fresh(): string {
  return mkdtempSync(join(base, 'x-'));
}

describe('tree archive', () => {
  it('round-trips owners, modes, times, links, sparse files, devices and xattrs', async () => {
    const src = join(base, 'src');
    const dst = join(base, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    populateTree(src);
    const digestsOut = new Map<string, string>();
    const digestsIn = new Map<string, string>();
    await extractTo(dst, treeTarStream(src, { prefix: 'v', digests: digestsOut }), { digests: digestsIn });
    assert.deepEqual(snapshotTree(join(dst, 'v')), snapshotTree(src));
    assert.ok(snapshotTree(join(dst, 'v'))['sparse.img']!.sparse, 'the sparse file stays sparse');
    assert.deepEqual(digestsIn, digestsOut);
    assert.ok(digestsOut.size > 15);
  });

  it('writes plain tar that GNU tar reads, and reads what it writes', async () => {
    const src = join(base, 'src');
    const viaTar = join(base, 'via-gnu');
    mkdirSync(viaTar);
    const { spawnSync } = await import('node:child_process');
    const chunks: Buffer[] = [];
    for await (const c of treeTarStream(src)) chunks.push(c as Buffer);
    const r = spawnSync('tar', ['-x', '--xattrs', '--xattrs-include=*', '--numeric-owner', '-C', viaTar], { input: Buffer.concat(chunks) });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(snapshotTree(viaTar, { skipRootTime: true }), snapshotTree(src, { skipRootTime: true }));
  });

  it('refuses names that leave the root', async () => {
    await assert.rejects(extractTo(fresh(), archiveOf([{ name: '../escape', body: 'x' }])), /outside of the destination/);
    // An absolute name lands inside the root, as dockerd extracts it.
    const abs = fresh();
    await extractTo(abs, archiveOf([{ name: '/abs', body: 'x' }]));
    assert.equal(readFileSync(join(abs, 'abs'), 'utf8'), 'x');
    await assert.rejects(
      extractTo(fresh(), archiveOf([{ name: 'lnk', type: 'symlink', linkname: base }, { name: 'lnk/planted', body: 'x' }])),
      /through the symlink "lnk"/,
    );
    assert.equal(existsSync(join(base, 'planted')), false);
    await assert.rejects(extractTo(fresh(), archiveOf([{ name: 'hl', type: 'link', linkname: '../../etc/passwd' }])), /outside of the archive/);
    await assert.rejects(extractTo(fresh(), archiveOf([{ name: 'l2', type: 'symlink', linkname: '/etc' }, { name: 'hl2', type: 'link', linkname: 'l2/passwd' }])), /through the symlink/);
  });
});

describe('tar reader', () => {
  it('reads GNU-format archives (long names, long link targets) as GNU tar wrote them', async () => {
    const src = join(base, 'gnu-src');
    const long = 'd'.repeat(120);
    mkdirSync(join(src, long), { recursive: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('sh', ['-c', `echo hi > ${long}/${'f'.repeat(110)} && ln -s ${long}/${'f'.repeat(110)} link && ln ${long}/${'f'.repeat(110)} hard`], { cwd: src });
    const tarBytes = execFileSync('tar', ['--format=gnu', '-cf', '-', '-C', src, '.']);
    const dst = join(base, 'gnu-dst');
    mkdirSync(dst);
    await extractTo(dst, Readable.from([tarBytes]));
    assert.deepEqual(snapshotTree(dst, { skipRootTime: true }), snapshotTree(src, { skipRootTime: true }));
  });

  it('says an archive cut short is truncated', async () => {
    const src = join(base, 'src');
    const chunks: Buffer[] = [];
    for await (const c of treeTarStream(src)) chunks.push(c as Buffer);
    const whole = Buffer.concat(chunks);
    await assert.rejects(extractTo(fresh(), Readable.from([whole.subarray(0, Math.floor(whole.length / 2) + 100)])), /unexpected EOF/);
    // Cut exactly between two entries reads as Go's reader reads it (restore then misses its
    // manifest, which comes last, and refuses the archive).
    const one = Buffer.concat([encodeHeader({ name: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, mtime: 0 }), Buffer.from('x'), padding(1)]);
    await extractTo(fresh(), Readable.from([one, END_OF_ARCHIVE]));
  });
});
