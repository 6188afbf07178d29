import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../errors.js';
import { followSymlinkInScope } from '../../engine/volumes/scoped-path.js';
import { unpackLayer } from '../../engine/snapshots/layer-unpacker.js';
import { createHash } from 'node:crypto';
import { extractTar } from './extract.js';
import type { ExtractPolicy } from './extractor.js';
import { unpackInto } from './unpack.js';
import { BACKUP_EXTRACT } from '../../engine/backup/backup-extract.js';
import { digestObserver } from '../../engine/backup/member-digest.js';
import { importVolume } from '../../engine/backup/volume-archive.js';
import type { VolumeService } from '../../engine/volumes/volume-service.js';
import { bombCases, hostileCorpus, makeMarker, tarOf, type RawEntry } from '../../../test/fixtures/hostile-archives.js';

// The hostile-archive corpus against the one extractor, under each policy its callers use: a
// scratch directory (load, build context), an existing tree (PUT archive), a layer.

const LIMITS = { entries: 2000, bytes: 4 * 1024 * 1024 };

const scratch: ExtractPolicy = { label: 'archive', whiteouts: false, devices: false, xattrs: false, owner: 'archive', noOverwriteDirNonDir: false, limits: LIMITS };

function sandbox(): { base: string; dest: string; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'berth-extract-'));
  return { base, dest: join(base, 'root', 'dest'), cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Files named after the marker's token anywhere in the sandbox outside the destination, or in /tmp. */
function strays(base: string, dest: string, token: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (p === dest || depth > 3) continue;
      if (n.includes(token) || n === 'pwned') out.push(p);
      if (lstatSync(p).isDirectory()) walk(p, depth + 1);
    }
  };
  walk(base, 0);
  for (const n of readdirSync('/tmp')) if (n.startsWith(token) && n !== token) out.push(`/tmp/${n}`);
  return out;
}

async function* chunks(b: Buffer, size = 7000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

type Runner = (archive: Buffer, dest: string) => Promise<unknown>;

const runners: [string, Runner][] = [
  [
    'scratch directory (load, build context)',
    (archive, dest) => {
      mkdirSync(dest, { recursive: true });
      return extractTar(chunks(archive), dest, scratch);
    },
  ],
  [
    'existing tree (PUT archive)',
    (archive, dest) => {
      mkdirSync(join(dest, 'ctr', 'etc'), { recursive: true });
      const root = join(dest, 'ctr');
      return unpackInto({ resolve: (p) => followSymlinkInScope(root, p) }, '/etc', Readable.from(chunks(archive)), { noOverwriteDirNonDir: false, limits: LIMITS });
    },
  ],
  [
    'backup restore (scratch directory, digests observed)',
    (archive, dest) => {
      mkdirSync(dest, { recursive: true });
      return extractTar(chunks(archive), dest, { ...BACKUP_EXTRACT, limits: LIMITS }, { observe: digestObserver(new Map()) });
    },
  ],
  [
    'volume import (existing volume)',
    (archive, dest) => {
      const data = join(dest, '_data');
      mkdirSync(join(data, 'old'), { recursive: true });
      const volumes = { get: () => ({}), path: () => data } as unknown as VolumeService;
      return importVolume(volumes, 'v', Readable.from(chunks(archive)), LIMITS);
    },
  ],
  [
    'layer',
    async (archive, dest) => {
      mkdirSync(join(dest, '..'), { recursive: true });
      return unpackLayer(chunks(archive), { target: dest, diffId: 'sha256:' + createHash('sha256').update(archive).digest('hex'), limits: LIMITS });
    },
  ],
];

for (const [label, runner] of runners) {
  test(`hostile archives never leave the root: ${label}`, async (t) => {
    const marker = makeMarker();
    t.after(() => marker.remove());
    for (const c of [...hostileCorpus(marker), ...(await bombCases(LIMITS))]) {
      const s = sandbox();
      try {
        const result = await runner(c.archive, s.dest).then(
          () => undefined,
          (err: unknown) => err,
        );
        if (c.refused) {
          assert.ok(result instanceof Error, `${c.name}: not refused`);
          // Layers compare the diff ID of what they read: a truncated compressed stream may also fail that way.
          if (!(result instanceof InvalidArgumentError)) assert.fail(`${c.name}: ${String(result)} is not a client error`);
        } else if (result && !(result instanceof InvalidArgumentError)) assert.fail(`${c.name}: ${String(result)}`);
        assert.deepEqual(marker.damage(), [], c.name);
        assert.deepEqual(strays(s.base, s.dest, marker.token), [], c.name);
      } finally {
        s.cleanup();
      }
    }
  });
}

test('device nodes are skipped where the policy says so, created where it allows them', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  const tar = tarOf([{ name: 'null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }, { name: 'p', type: 'fifo' }, { name: 'f', body: 'x' }]);
  mkdirSync(join(s.dest, 'a'), { recursive: true });
  await extractTar(chunks(tar), join(s.dest, 'a'), scratch);
  assert.deepEqual(readdirSync(join(s.dest, 'a')), ['f']);
  mkdirSync(join(s.dest, 'b'));
  await extractTar(chunks(tar), join(s.dest, 'b'), { ...scratch, devices: true });
  assert.ok(lstatSync(join(s.dest, 'b', 'null')).isCharacterDevice());
  assert.ok(lstatSync(join(s.dest, 'b', 'p')).isFIFO());
});

test('an existing tree keeps its own symlinks resolved inside its root; absolute names land inside', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  const root = join(s.dest, 'ctr');
  mkdirSync(join(root, 'real'), { recursive: true });
  // A symlink the container owns (not the archive) is followed, inside the container.
  const { symlinkSync } = await import('node:fs');
  symlinkSync('/real', join(root, 'link'));
  const tar = tarOf([{ name: 'link/f', body: 'via link' }, { name: '/abs/g', body: 'abs' }, { name: 'esc', type: 'symlink', linkname: '/' }]);
  await unpackInto({ resolve: (p) => followSymlinkInScope(root, p) }, '/', Readable.from(chunks(gzipSync(tar))), { noOverwriteDirNonDir: false });
  assert.equal(readFileSync(join(root, 'real', 'f'), 'utf8'), 'via link');
  assert.equal(readFileSync(join(root, 'abs', 'g'), 'utf8'), 'abs');
  assert.ok(existsSync(join(root, 'esc')));
});

test('long names (GNU and PAX), base-256 sizes and PAX sizes are read', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  const long = 'd'.repeat(120) + '/' + 'f'.repeat(150);
  const gnuName = Buffer.from(long + '\0');
  const tar = tarOf([
    { name: '././@LongLink', type: 'gnu-long-name', body: gnuName },
    { name: 'cut', body: 'gnu' },
    { name: 'x', body: 'pax', pax: { path: long + '2' } },
  ]);
  mkdirSync(s.dest, { recursive: true });
  await extractTar(chunks(tar, 300), s.dest, scratch);
  assert.equal(readFileSync(join(s.dest, long), 'utf8'), 'gnu');
  assert.equal(readFileSync(join(s.dest, long + '2'), 'utf8'), 'pax');
});

test('a directory tree replaced by a file leaves no stale directory times behind', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  const tar = tarOf([{ name: 'a/b/c/', type: 'dir' }, { name: 'a', body: 'file now' }]);
  mkdirSync(s.dest, { recursive: true });
  await extractTar(chunks(tar), s.dest, scratch);
  assert.equal(readFileSync(join(s.dest, 'a'), 'utf8'), 'file now');
});

test('a refused archive closes a download it reads from (no connection left hanging)', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  const tar = tarOf([{ name: '../out', body: 'x' }, { name: 'more', body: Buffer.alloc(100_000) }]);
  let closed = false;
  async function* download(): AsyncGenerator<Buffer> {
    try {
      for (let i = 0; i < tar.length; i += 512) yield tar.subarray(i, i + 512);
      // Endless: only a close ends it.
      for (;;) yield Buffer.alloc(512);
    } finally {
      closed = true;
    }
  }
  mkdirSync(s.dest, { recursive: true });
  await assert.rejects(extractTar(download(), s.dest, scratch), InvalidArgumentError);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(closed);
});

/** A PAX header entry whose records carry raw byte values (tarOf's own records are strings). */
function paxEntry(records: [string, Buffer][]): RawEntry {
  const body = Buffer.concat(
    records.map(([k, v]) => {
      const rest = Buffer.concat([Buffer.from(` ${k}=`), v, Buffer.from('\n')]);
      let len = rest.length + 1;
      while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
      return Buffer.concat([Buffer.from(String(len)), rest]);
    }),
  );
  return { name: 'PaxHeaders/x', type: 'pax', body };
}

test('binary xattr values (security.capability, not UTF-8) are applied byte for byte, and an observer sees them raw', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  // VFS_CAP_REVISION_2 with cap_net_bind_service permitted and effective.
  const cap = Buffer.from('0100000200040000000000000000000000000000', 'hex');
  const odd = Buffer.from([0xff, 0x00, 0x80, 0xc3, 0x28]);
  const tar = tarOf([paxEntry([['SCHILY.xattr.security.capability', cap], ['SCHILY.xattr.trusted.odd', odd]]), { name: 'bin', body: 'x' }]);
  mkdirSync(s.dest, { recursive: true });
  const seen: (Map<string, Buffer> | null)[] = [];
  await extractTar(chunks(tar, 100), s.dest, { ...scratch, xattrs: true }, { observe: (h) => (seen.push(h.paxBytes), undefined) });
  const { execFileSync } = await import('node:child_process');
  const dump = execFileSync('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', join(s.dest, 'bin')]).toString();
  assert.match(dump, new RegExp(`security.capability=0x${cap.toString('hex')}`));
  assert.match(dump, new RegExp(`trusted.odd=0x${odd.toString('hex')}`));
  assert.deepEqual(seen[0]?.get('SCHILY.xattr.trusted.odd'), odd);
});

test('GNU sparse 1.0 files are written with their holes, at their real size; a corrupt map is refused', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  const MiB = 1024 * 1024;
  const map = Buffer.from(`2\n0\n4096\n${2 * MiB}\n4096\n`);
  const data = Buffer.concat([Buffer.alloc(4096, 'a'), Buffer.alloc(4096, 'b')]);
  const sparse = (m: Buffer, realsize: number): Buffer =>
    tarOf([
      { name: 'PaxHeaders/x', type: 'pax', body: paxEntry([['GNU.sparse.major', Buffer.from('1')], ['GNU.sparse.minor', Buffer.from('0')], ['GNU.sparse.name', Buffer.from('dir/disk.img')], ['GNU.sparse.realsize', Buffer.from(String(realsize))]]).body },
      { name: 'dir/GNUSparseFile.0/disk.img', body: Buffer.concat([m, Buffer.alloc((512 - (m.length % 512)) % 512), data]) },
    ]);
  mkdirSync(s.dest, { recursive: true });
  await extractTar(chunks(sparse(map, 4 * MiB), 1000), s.dest, scratch);
  const file = join(s.dest, 'dir', 'disk.img');
  const st = lstatSync(file);
  assert.equal(st.size, 4 * MiB);
  assert.ok(st.blocks * 512 < MiB, 'the holes are not written');
  const content = readFileSync(file);
  assert.equal(content.subarray(0, 4096).toString(), 'a'.repeat(4096));
  assert.ok(content.subarray(4096, 2 * MiB).every((b) => b === 0));
  assert.equal(content.subarray(2 * MiB, 2 * MiB + 4096).toString(), 'b'.repeat(4096));
  assert.equal(existsSync(join(s.dest, 'dir', 'GNUSparseFile.0')), false);
  const other = join(s.base, 'other');
  mkdirSync(other);
  // A region past the real size.
  await assert.rejects(extractTar(chunks(sparse(map, MiB)), other, scratch), /corrupt sparse map/);
});

test('hard links to device nodes and fifos (made last) are links to them', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  const tar = tarOf([
    { name: 'p', type: 'fifo' },
    { name: 'null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'd/p2', type: 'link', linkname: 'p' },
    { name: 'null2', type: 'link', linkname: 'null' },
    { name: 'null3', type: 'link', linkname: 'null2' },
  ]);
  mkdirSync(s.dest, { recursive: true });
  await extractTar(chunks(tar), s.dest, { ...scratch, devices: true });
  const ino = (p: string) => lstatSync(join(s.dest, p)).ino;
  assert.ok(lstatSync(join(s.dest, 'd/p2')).isFIFO());
  assert.equal(ino('d/p2'), ino('p'));
  assert.equal(ino('null2'), ino('null'));
  assert.equal(ino('null3'), ino('null'));
  assert.equal(lstatSync(join(s.dest, 'null')).nlink, 3);
});
