import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { unpackLayer } from './layer-unpacker.js';

type Entry = Partial<Header> & { name: string; body?: string | Buffer };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry(header as Header, body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

function digestOf(b: Buffer): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

async function* chunks(b: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

function sandbox(): { dir: string; target: string; outside: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-unpack-'));
  const outside = join(dir, 'outside');
  execFileSync('mkdir', [outside]);
  return { dir, target: join(dir, 'layer', 'diff'), outside, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('unpacks files, dirs, links, devices, xattrs, whiteouts with their metadata', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  execFileSync('mkdir', [join(s.dir, 'layer')]);
  const mtime = new Date('2020-01-02T03:04:05Z');
  const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
  const tar = await makeTar([
    { name: 'etc/', type: 'directory', mode: 0o755, mtime },
    { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644, uid: 0, gid: 0, mtime },
    { name: 'bin/su', body: 'binary', mode: 0o4755, uid: 0, gid: 0, mtime },
    { name: 'home/u/f', body: 'x', mode: 0o600, uid: 1000, gid: 1001, mtime },
    { name: 'bin/ping', body: 'ping', mode: 0o755, mtime, pax: { 'SCHILY.xattr.security.capability': cap.toString('latin1') } },
    { name: 'etc/link', type: 'symlink', linkname: '../etc/passwd', mtime },
    { name: 'etc/hard', type: 'link', linkname: 'etc/passwd' },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, mtime },
    { name: 'run/fifo', type: 'fifo', mode: 0o644, mtime },
    { name: 'var/.wh.gone', body: '' },
    { name: 'opt/.wh..wh..opq', body: '' },
  ]);
  const gz = gzipSync(tar);
  const res = await unpackLayer(chunks(gz), { target: s.target, diffId: digestOf(tar), digest: digestOf(gz) });
  assert.ok(res.size > 0);
  assert.equal(readFileSync(join(s.target, 'etc/passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n');
  assert.equal(statSync(join(s.target, 'bin/su')).mode & 0o7777, 0o4755);
  const home = statSync(join(s.target, 'home/u/f'));
  assert.deepEqual([home.uid, home.gid, home.mode & 0o777], [1000, 1001, 0o600]);
  assert.equal(statSync(join(s.target, 'etc/passwd')).mtime.getTime(), mtime.getTime());
  assert.equal(statSync(join(s.target, 'etc')).mtime.getTime(), mtime.getTime());
  assert.equal(readlinkSync(join(s.target, 'etc/link')), '../etc/passwd');
  assert.equal(statSync(join(s.target, 'etc/hard')).ino, statSync(join(s.target, 'etc/passwd')).ino);
  const dev = lstatSync(join(s.target, 'dev/null'));
  assert.ok(dev.isCharacterDevice());
  assert.equal(dev.rdev, (1 << 8) | 3);
  assert.ok(lstatSync(join(s.target, 'run/fifo')).isFIFO());
  const wh = lstatSync(join(s.target, 'var/gone'));
  assert.ok(wh.isCharacterDevice());
  assert.equal(wh.rdev, 0);
  assert.ok(!existsSync(join(s.target, 'var/.wh.gone')));
  const opq = execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(s.target, 'opt')]).toString();
  assert.equal(opq, 'y');
  assert.deepEqual(readdirSync(join(s.target, 'opt')), []);
  const capRaw = execFileSync('getfattr', ['--only-values', '-n', 'security.capability', join(s.target, 'bin/ping')]);
  assert.deepEqual(capRaw, cap);
});

test('later entries replace earlier ones; implicit parents take their entry\'s metadata', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  execFileSync('mkdir', [join(s.dir, 'layer')]);
  const tar = await makeTar([
    { name: 'a/b/file', body: 'first' },
    { name: 'a/', type: 'directory', mode: 0o750, uid: 5, gid: 6 },
    { name: 'a/b/file', body: 'second', mode: 0o640 },
    { name: 'x', body: 'file' },
    { name: 'x/', type: 'directory', mode: 0o777 },
    { name: 'x/y', body: 'in dir' },
    { name: 'd/', type: 'directory' },
    { name: 'd/z', body: 'gone' },
    { name: 'd', body: 'now a file' },
    { name: 'g/', type: 'directory', mode: 0o2775, gid: 7 },
    { name: 'g/sub/', type: 'directory', mode: 0o755 },
  ]);
  await unpackLayer(chunks(tar), { target: s.target, diffId: digestOf(tar) });
  assert.equal(readFileSync(join(s.target, 'a/b/file'), 'utf8'), 'second');
  assert.equal(statSync(join(s.target, 'a/b/file')).mode & 0o7777, 0o640);
  const a = statSync(join(s.target, 'a'));
  assert.deepEqual([a.mode & 0o7777, a.uid, a.gid], [0o750, 5, 6]);
  assert.equal(statSync(join(s.target, 'x')).mode & 0o7777, 0o777);
  assert.equal(readFileSync(join(s.target, 'x/y'), 'utf8'), 'in dir');
  assert.equal(readFileSync(join(s.target, 'd'), 'utf8'), 'now a file');
  const sub = statSync(join(s.target, 'g/sub'));
  assert.deepEqual([sub.mode & 0o7777, sub.uid, sub.gid], [0o755, 0, 0]);
});

test('plain and uncompressed-by-sniffing tars unpack too', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  execFileSync('mkdir', [join(s.dir, 'layer')]);
  const tar = await makeTar([{ name: 'a', body: 'A' }]);
  await unpackLayer(chunks(tar), { target: s.target, diffId: digestOf(tar) });
  assert.equal(readFileSync(join(s.target, 'a'), 'utf8'), 'A');
});

test('a diff ID mismatch leaves no layer directory', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  execFileSync('mkdir', [join(s.dir, 'layer')]);
  const tar = await makeTar([{ name: 'a', body: 'A' }]);
  await assert.rejects(unpackLayer(chunks(gzipSync(tar)), { target: s.target, diffId: 'sha256:' + '0'.repeat(64) }), /diff ID mismatch/);
  assert.ok(!existsSync(s.target));
});

test('a compressed digest mismatch leaves no layer directory', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  execFileSync('mkdir', [join(s.dir, 'layer')]);
  const tar = await makeTar([{ name: 'a', body: 'A' }]);
  await assert.rejects(
    unpackLayer(chunks(gzipSync(tar)), { target: s.target, diffId: digestOf(tar), digest: 'sha256:' + '1'.repeat(64) }),
    /verification failed/,
  );
  assert.ok(!existsSync(s.target));
});

test('hostile tars never write outside the layer', async (t) => {
  const s = sandbox();
  t.after(s.cleanup);
  execFileSync('mkdir', [join(s.dir, 'layer')]);
  const out = s.outside;
  const hostile: [string, Entry[]][] = [
    ['dot-dot', [{ name: '../../outside/x', body: 'pwned' }]],
    ['dot-dot in the middle', [{ name: 'a/../../../outside/x', body: 'pwned' }]],
    ['symlink to / then write through it', [{ name: 'evil', type: 'symlink', linkname: '/' }, { name: `evil${out}/x`, body: 'pwned' }]],
    ['relative symlink out then write through it', [{ name: 'evil', type: 'symlink', linkname: '../../outside' }, { name: 'evil/x', body: 'pwned' }]],
    ['hardlink to outside', [{ name: 'h', type: 'link', linkname: '../../outside/target' }]],
    [
      'dir replaced by symlink',
      [
        { name: 'd/', type: 'directory' },
        { name: 'd', type: 'symlink', linkname: out },
        { name: 'd/x', body: 'pwned' },
      ],
    ],
    ['directory symlink via hardlink', [{ name: 's', type: 'symlink', linkname: out }, { name: 'h', type: 'link', linkname: 's' }, { name: 'h/x', body: 'pwned' }]],
  ];
  for (const [label, entries] of hostile) {
    const tar = await makeTar(entries);
    await assert.rejects(unpackLayer(chunks(tar), { target: s.target, diffId: digestOf(tar) }), /invalid layer/, label);
    assert.deepEqual(readdirSync(out), [], label);
    assert.ok(!existsSync(s.target), label);
  }
  // A file over a symlink replaces the symlink instead of writing to its target.
  const tar = await makeTar([
    { name: 's', type: 'symlink', linkname: join(out, 'f') },
    { name: 's', body: 'inside' },
    { name: '/abs/file', body: 'abs' },
  ]);
  await unpackLayer(chunks(tar), { target: s.target, diffId: digestOf(tar) });
  assert.deepEqual(readdirSync(out), []);
  assert.equal(readFileSync(join(s.target, 's'), 'utf8'), 'inside');
  assert.equal(readFileSync(join(s.target, 'abs/file'), 'utf8'), 'abs');
});
