import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import tar from 'tar-stream';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { ArchiveService } from './archive-service.js';
import { goFileMode } from '../../common/archive/path-stat.js';
import type { ContainerRecord } from './container-model.js';

function setup() {
  const base = mkdtempSync(join(tmpdir(), 'berth-arch-'));
  const paths = new BerthPaths(join(base, 'data'), join(base, 'run'));
  const rootfs = join(base, 'rootfs');
  const vol = join(base, 'vol');
  const outside = join(base, 'outside');
  for (const d of [rootfs, vol, outside, join(rootfs, 'etc'), join(rootfs, 'data')]) mkdirSync(d, { recursive: true });
  const c = {
    Id: 'c1',
    Name: '/box',
    Image: 'img',
    Config: { Image: 'busybox', User: '' },
    HostConfig: {},
    State: { Running: false, Pid: 0 },
    Mounts: [{ Type: 'volume', Name: 'v', Source: vol, Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }],
  } as unknown as ContainerRecord;
  const mounted: string[] = [];
  const svc = new ArchiveService({
    containers: { get: (ref) => (ref === 'box' || ref === 'c1' ? c : (() => { throw new NotFoundError(`No such container: ${ref}`); })()) },
    rootfs: { mountContainerLayer: async () => (mounted.push('m'), rootfs), unmountContainerLayer: async () => void mounted.push('u') },
    layerPaths: () => [],
    paths,
    events: { emit: () => undefined },
    logger: silentLogger,
  });
  return { base, rootfs, vol, outside, c, svc, mounted, done: () => rmSync(base, { recursive: true, force: true }) };
}

async function entries(stream: Readable): Promise<Record<string, { type: string; body: string; linkname?: string | null; uid?: number }>> {
  const out: Record<string, { type: string; body: string; linkname?: string | null; uid?: number }> = {};
  const ex = tar.extract();
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out[e.header.name] = { type: e.header.type!, body: Buffer.concat(chunks).toString(), linkname: e.header.linkname, uid: e.header.uid };
  }
  return out;
}

function tarOf(files: { name: string; type?: 'file' | 'symlink' | 'directory'; body?: string; linkname?: string; uid?: number }[]): Readable {
  const pack = tar.pack();
  for (const f of files) pack.entry({ name: f.name, type: f.type ?? 'file', linkname: f.linkname, mode: f.type === 'directory' ? 0o755 : 0o644, uid: f.uid ?? 0, gid: f.uid ?? 0 }, f.body ?? '');
  pack.finalize();
  return Readable.from(pack);
}

test('stat and get: Go file modes, link targets, rebased names, volumes read at their source', async () => {
  const t = setup();
  try {
    writeFileSync(join(t.rootfs, 'etc/conf file'), 'hello');
    symlinkSync('/etc/conf file', join(t.rootfs, 'etc/link'));
    writeFileSync(join(t.vol, 'in-volume'), 'vol data');
    const s = await t.svc.stat('box', '/etc/link');
    assert.equal(s.name, 'link');
    assert.equal(s.linkTarget, '/etc/conf file');
    assert.equal(s.mode, goFileMode(0o120777));
    const d = await t.svc.stat('box', '/etc');
    assert.equal(d.mode, 2 ** 31 + 0o755);
    await assert.rejects(t.svc.stat('box', '/nope'), (e: Error) => e instanceof NotFoundError && e.message === 'Could not find the file /nope in container box');
    const got = await t.svc.get('box', '/etc');
    const files = await entries(got.tar);
    assert.deepEqual(Object.keys(files).sort(), ['etc/', 'etc/conf file', 'etc/link']);
    assert.equal(files['etc/conf file']!.body, 'hello');
    assert.equal(files['etc/link']!.linkname, '/etc/conf file');
    const vol = await entries((await t.svc.get('box', '/data/in-volume')).tar);
    assert.equal(vol['in-volume']!.body, 'vol data');
    assert.ok(t.mounted.includes('u'), 'the stopped container rootfs is unmounted again');
  } finally {
    t.done();
  }
});

test('put extracts with owners, refuses non-directories and never writes outside the root', async () => {
  const t = setup();
  try {
    // A symlink in the container pointing at an absolute host-looking path stays inside the root.
    symlinkSync(t.outside, join(t.rootfs, 'escape'));
    symlinkSync('../../../../../../..' + t.outside, join(t.rootfs, 'etc/up'));
    await t.svc.put('box', '/etc', tarOf([
      { name: 'new dir/', type: 'directory' },
      { name: 'new dir/ü odd:name', body: 'x', uid: 1234 },
      { name: 'up/pwned', body: 'no' },
    ]), { noOverwriteDirNonDir: false, copyUIDGID: false });
    assert.equal(readFileSync(join(t.rootfs, 'etc/new dir/ü odd:name'), 'utf8'), 'x');
    assert.equal(lstatSync(join(t.rootfs, 'etc/new dir/ü odd:name')).uid, 1234);
    assert.ok(existsSync(join(t.rootfs, t.outside, 'pwned')), 'the link was followed inside the root');
    assert.ok(!existsSync(join(t.outside, 'pwned')));
    await t.svc.put('box', '/escape', tarOf([{ name: 'f', body: 'in' }]), { noOverwriteDirNonDir: false, copyUIDGID: false });
    assert.ok(!existsSync(join(t.outside, 'f')));
    await assert.rejects(t.svc.put('box', '/', tarOf([{ name: '../../x', body: '' }]), { noOverwriteDirNonDir: false, copyUIDGID: false }), InvalidArgumentError);
    writeFileSync(join(t.rootfs, 'plain'), '');
    await assert.rejects(t.svc.put('box', '/plain', tarOf([]), { noOverwriteDirNonDir: false, copyUIDGID: false }), /extraction point is not a directory/);
    await assert.rejects(
      t.svc.put('box', '/', tarOf([{ name: 'etc', body: 'file over dir' }]), { noOverwriteDirNonDir: true, copyUIDGID: false }),
      /cannot overwrite directory "\/etc" with non-directory "etc"/,
    );
    // Into a volume destination: the file lands in the volume.
    await t.svc.put('box', '/data', tarOf([{ name: 'sub/', type: 'directory' }, { name: 'sub/f', body: 'v' }, { name: 'lnk', type: 'symlink', linkname: 'sub/f' }]), { noOverwriteDirNonDir: false, copyUIDGID: false });
    assert.equal(readFileSync(join(t.vol, 'sub/f'), 'utf8'), 'v');
    assert.equal(readlinkSync(join(t.vol, 'lnk')), 'sub/f');
    // copyUIDGID gives everything the container user's ids.
    writeFileSync(join(t.rootfs, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n');
    (t.c.Config as any).User = 'app';
    await t.svc.put('box', '/', tarOf([{ name: 'owned', body: '', uid: 5 }]), { noOverwriteDirNonDir: false, copyUIDGID: true });
    assert.equal(lstatSync(join(t.rootfs, 'owned')).uid, 1001);
    assert.equal(lstatSync(join(t.rootfs, 'owned')).gid, 1002);
  } finally {
    t.done();
  }
});

test('changes reports added, modified and deleted paths as docker diff does', () => {
  const t = setup();
  try {
    const lower = join(t.base, 'lower');
    const upper = join(t.base, 'data/containers/c1/upper');
    mkdirSync(join(lower, 'etc'), { recursive: true });
    mkdirSync(join(lower, 'bin'), { recursive: true });
    writeFileSync(join(lower, 'etc/passwd'), 'a');
    writeFileSync(join(lower, 'bin/sh'), 'sh');
    mkdirSync(join(upper, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'bin'), { recursive: true });
    writeFileSync(join(upper, 'etc/passwd'), 'b');
    writeFileSync(join(upper, 'etc/new'), 'n');
    writeFileSync(join(upper, 'etc/hostname'), 'box');
    execFileSync('mknod', [join(upper, 'bin/sh'), 'c', '0', '0']);
    chownSync(join(upper, 'etc'), 0, 0);
    const svc = new ArchiveService({
      containers: { get: () => t.c },
      rootfs: { mountContainerLayer: async () => '', unmountContainerLayer: async () => undefined },
      layerPaths: () => [lower],
      paths: new BerthPaths(join(t.base, 'data'), join(t.base, 'run')),
      events: { emit: () => undefined },
      logger: silentLogger,
    });
    const changes = svc.changes('c1');
    const set = new Set(changes.map((c) => `${c.Kind} ${c.Path}`));
    assert.ok(set.has('2 /bin/sh'));
    assert.ok(set.has('0 /bin'));
    assert.ok(set.has('0 /etc/passwd'));
    assert.ok(set.has('1 /etc/new'));
    assert.ok(set.has('0 /etc'));
    assert.ok(![...set].some((s) => s.endsWith('/etc/hostname')));
  } finally {
    t.done();
  }
});
