import assert from 'node:assert/strict';
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { openDatabase } from '../../store/database.js';
import type { MountPoint } from '../containers/ports.js';
import { VolumeContainerMounts } from './container-mounts.js';
import { VolumeService } from './volume-service.js';

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'berth-cm-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(':memory:');
  const containers = new Map<string, { Id: string; Mounts: MountPoint[]; HostConfig: Record<string, any> }>();
  const volumes = new VolumeService({
    db,
    paths,
    logger: silentLogger,
    events: { emit: () => undefined },
    usedBy: (n) => [...containers.values()].filter((c) => c.Mounts.some((m) => m.Name === n)).map((c) => c.Id),
  });
  const mounts = new VolumeContainerMounts(volumes, silentLogger);
  const lookup = (ref: string) => {
    const c = containers.get(ref);
    if (!c) throw new Error(`No such container: ${ref}`);
    return c;
  };
  return { root, paths, volumes, mounts, containers, lookup, done: () => (db.close(), rmSync(root, { recursive: true, force: true })) };
}

test('plan gives Docker-shaped mount points for -v, --mount, VOLUME and --volumes-from', async () => {
  const t = setup();
  try {
    const host = join(t.root, 'host');
    mkdirSync(host);
    const hc = {
      Binds: ['named1:/data', `${host}:/h:ro,rshared`, 'named2:/ro:ro'],
      Mounts: [{ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1 << 20 } }, { Type: 'volume', Target: '/anon' }],
      Tmpfs: { '/run': 'size=1m' },
    };
    const mps = await t.mounts.plan({ Id: 'c1', Config: { Volumes: { '/data': {}, '/image-vol': {}, '/run': {} } }, HostConfig: hc }, t.lookup);
    const by = Object.fromEntries(mps.map((m) => [m.Destination, m]));
    assert.deepEqual(Object.keys(by).sort(), ['/anon', '/data', '/h', '/image-vol', '/ro', '/scratch']);
    assert.deepEqual(by['/data'], { Type: 'volume', Name: 'named1', Source: t.paths.volumeData('named1'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
    assert.deepEqual(by['/h'], { Type: 'bind', Source: host, Destination: '/h', Mode: 'ro,rshared', RW: false, Propagation: 'rshared' });
    assert.equal(by['/ro']!.RW, false);
    assert.equal(by['/ro']!.Mode, 'ro');
    assert.deepEqual(by['/scratch'], { Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' });
    assert.equal(by['/image-vol']!.Mode, '');
    assert.match(by['/image-vol']!.Name!, /^[0-9a-f]{64}$/);
    assert.ok(t.volumes.exists('named1') && t.volumes.exists('named2'));
    t.containers.set('c1', { Id: 'c1', Mounts: mps, HostConfig: hc });

    const from = await t.mounts.plan({ Id: 'c2', Config: {}, HostConfig: { VolumesFrom: ['c1:ro'] } }, t.lookup);
    assert.equal(from.length, mps.length);
    assert.ok(from.every((m) => m.RW === false));

    // rm -v drops c1's anonymous volumes but not named ones, and not while c2 still uses them.
    t.containers.set('c2', { Id: 'c2', Mounts: from, HostConfig: {} });
    await t.mounts.release(t.containers.get('c1')!, true);
    assert.ok(t.volumes.exists(by['/image-vol']!.Name!));
    t.containers.delete('c2');
    await t.mounts.release(t.containers.get('c1')!, true);
    assert.ok(!t.volumes.exists(by['/image-vol']!.Name!));
    assert.ok(!t.volumes.exists(by['/anon']!.Name!));
    assert.ok(t.volumes.exists('named1'));
  } finally {
    t.done();
  }
});

test('plan refuses what dockerd refuses, and leaves no anonymous volume behind', async () => {
  const t = setup();
  try {
    const plan = (hc: Record<string, any>, config: Record<string, any> = {}) => t.mounts.plan({ Id: 'x', Config: config, HostConfig: hc }, t.lookup);
    await assert.rejects(plan({ Binds: ['a1:/d', 'a2:/d'] }), /^InvalidArgumentError: Duplicate mount point: \/d$/);
    await assert.rejects(plan({ Binds: ['/x:rw'] }), /invalid volume specification: '\/x:rw'/);
    await assert.rejects(plan({ Binds: ['vol:/d:bogus'] }), /invalid mode: bogus/);
    await assert.rejects(plan({ Binds: ['vol:rel'] }), /invalid volume specification: 'vol:rel': invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute/);
    await assert.rejects(plan({ Mounts: [{ Type: 'bind', Source: '/nonexistent/zz', Target: '/z' }] }), /invalid mount config for type "bind": bind source path does not exist: \/nonexistent\/zz/);
    await assert.rejects(plan({ Mounts: [{ Type: 'volume', Target: '/' }] }), /destination can't be '\/'/);
    await assert.rejects(plan({ Binds: ['v1:/a', 'v1:/a'] }, { Volumes: { '/img': {} } }), InvalidArgumentError);
    assert.deepEqual(t.volumes.list().filter((v) => v.Name.length === 64), []);
  } finally {
    t.done();
  }
});

test('start copies the image files into a new empty volume once, with owners and links', async () => {
  const t = setup();
  try {
    const rootfs = join(t.root, 'rootfs');
    mkdirSync(join(rootfs, 'etc/app/sub'), { recursive: true });
    writeFileSync(join(rootfs, 'etc/app/conf'), 'v1');
    writeFileSync(join(rootfs, 'etc/app/sub/deep'), 'd');
    symlinkSync('conf', join(rootfs, 'etc/app/link'));
    chownSync(join(rootfs, 'etc/app/conf'), 123, 456);
    chownSync(join(rootfs, 'etc/app'), 7, 8);
    // The destination is reached through a symlink, as images often do.
    symlinkSync('/etc/app', join(rootfs, 'app'));
    const c = { Id: 'c1', Config: { Volumes: { '/app': {} } }, HostConfig: { Binds: ['cfg:/etc/app', `${join(t.root, 'missing')}:/m`], Tmpfs: { '/tmp': 'size=65536k' } } };
    const Mounts = await t.mounts.plan(c, t.lookup);
    const oci = await t.mounts.ociMounts({ ...c, Mounts }, rootfs);
    const vol = t.paths.volumeData('cfg');
    assert.equal(readFileSync(join(vol, 'conf'), 'utf8'), 'v1');
    assert.equal(readFileSync(join(vol, 'sub/deep'), 'utf8'), 'd');
    assert.equal(readlinkSync(join(vol, 'link')), 'conf');
    assert.equal(lstatSync(join(vol, 'conf')).uid, 123);
    assert.equal(lstatSync(join(vol, 'conf')).gid, 456);
    assert.equal(lstatSync(vol).uid, 7);
    // The -v host path that did not exist was created as a directory.
    assert.ok(lstatSync(join(t.root, 'missing')).isDirectory());
    const byDest = Object.fromEntries(oci.map((m) => [m.destination, m]));
    assert.deepEqual(byDest['/etc/app'], { destination: '/etc/app', type: 'bind', source: vol, options: ['rbind', 'rw', 'rprivate'] });
    assert.deepEqual(byDest['/tmp'], { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'size=65536k'] });
    // A volume with data is left alone on the next start.
    writeFileSync(join(vol, 'conf'), 'changed');
    await t.mounts.ociMounts({ ...c, Mounts }, rootfs);
    assert.equal(readFileSync(join(vol, 'conf'), 'utf8'), 'changed');
    assert.ok(existsSync(join(t.paths.volumeData(Mounts.find((m) => m.Destination === '/app')!.Name!), 'conf')));
  } finally {
    t.done();
  }
});
