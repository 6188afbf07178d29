import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { openDatabase } from '../../store/database.js';
import type { EventInput } from '../events/event-bus.js';
import { isMountPoint } from './local-driver-mount.js';
import { ANONYMOUS_LABEL, VolumeService } from './volume-service.js';

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'berth-vol-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(':memory:');
  const events: EventInput[] = [];
  const users = new Map<string, string[]>();
  const svc = new VolumeService({ db, paths, logger: silentLogger, events: { emit: (e) => events.push(e) }, usedBy: (n) => users.get(n) ?? [] });
  return { root, paths, svc, events, users, done: () => (db.close(), rmSync(root, { recursive: true, force: true })) };
}

test('create, inspect, list and remove a named volume', async () => {
  const t = setup();
  try {
    const v = t.svc.create({ Name: 'data1', Labels: { a: 'b' }, DriverOpts: {} });
    assert.equal(v.Mountpoint, t.paths.volumeData('data1'));
    assert.ok(existsSync(v.Mountpoint));
    assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual({ ...v, CreatedAt: '' }, { CreatedAt: '', Driver: 'local', Labels: { a: 'b' }, Mountpoint: v.Mountpoint, Name: 'data1', Options: {}, Scope: 'local' });
    // Creating again returns the same volume, without a second event.
    assert.equal(t.svc.create({ Name: 'data1' }).CreatedAt, v.CreatedAt);
    assert.deepEqual(t.events.map((e) => e.Action), ['create']);
    writeFileSync(join(v.Mountpoint, 'f'), 'x');
    assert.deepEqual(t.svc.list({ label: ['a=b'] }).map((x) => x.Name), ['data1']);
    assert.deepEqual(t.svc.list({ label: ['a=c'] }), []);
    assert.deepEqual(t.svc.list({ name: ['^dat'] }).map((x) => x.Name), ['data1']);
    assert.throws(() => t.svc.list({ bogus: ['1'] }), /invalid filter 'bogus'/);
    t.users.set('data1', ['c1']);
    assert.deepEqual(t.svc.list({ dangling: ['true'] }), []);
    await assert.rejects(t.svc.remove('data1'), (e: Error) => e instanceof ConflictError && e.message === 'remove data1: volume is in use - [c1]');
    t.users.clear();
    await t.svc.remove('data1');
    assert.ok(!existsSync(join(t.paths.volumesRoot, 'data1')));
    await assert.rejects(t.svc.remove('data1'), (e: Error) => e instanceof NotFoundError && e.message === 'get data1: no such volume');
    await t.svc.remove('data1', { force: true });
    assert.throws(() => t.svc.inspect('nope'), /get nope: no such volume/);
  } finally {
    t.done();
  }
});

test('names and options are checked as Docker checks them', () => {
  const t = setup();
  try {
    assert.throws(() => t.svc.create({ Name: 'a' }), (e: Error) => e instanceof InvalidArgumentError && e.message.startsWith('create a: "a" includes invalid characters'));
    assert.throws(() => t.svc.create({ Name: 'x/y' }), InvalidArgumentError);
    assert.throws(() => t.svc.create({ Name: 'ok1', DriverOpts: { foo: 'bar' } }), /create ok1: invalid option: "foo"/);
    assert.throws(() => t.svc.create({ Name: 'ok1', Driver: 'nfsplugin' }), NotFoundError);
  } finally {
    t.done();
  }
});

test('prune takes unused anonymous volumes, or all unused with all=true', async () => {
  const t = setup();
  try {
    const anon = t.svc.createAnonymous();
    assert.match(anon.Name, /^[0-9a-f]{64}$/);
    assert.deepEqual(anon.Labels, { [ANONYMOUS_LABEL]: '' });
    writeFileSync(join(anon.Mountpoint, 'f'), '12345');
    t.svc.create({ Name: 'keep' });
    const used = t.svc.createAnonymous();
    t.users.set(used.Name, ['c1']);
    const r = await t.svc.prune();
    assert.deepEqual(r, { VolumesDeleted: [anon.Name], SpaceReclaimed: 5 });
    const r2 = await t.svc.prune({ all: ['true'] });
    assert.deepEqual(r2.VolumesDeleted, ['keep']);
    assert.deepEqual(t.svc.list().map((v) => v.Name), [used.Name]);
  } finally {
    t.done();
  }
});

test('a tmpfs volume is mounted while used and empty in memory', async () => {
  const t = setup();
  try {
    t.svc.create({ Name: 'mem', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    const dir = await t.svc.mount('mem', { container: 'c1', destination: '/m', rw: true, propagation: '' });
    assert.ok(isMountPoint(dir));
    const fstype = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir)!.split(' - ')[1]!.split(' ')[0];
    assert.equal(fstype, 'tmpfs');
    await t.svc.unmount('mem', 'c1');
    assert.ok(!isMountPoint(dir));
    await t.svc.mount('mem', { container: 'c1', destination: '/m', rw: true, propagation: '' });
    await t.svc.remove('mem');
    assert.ok(!isMountPoint(dir));
  } finally {
    t.done();
  }
});

test('a create whose record cannot be written (a full disk) leaves no directory behind', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-vol-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(':memory:');
  const svc = new VolumeService({ db, paths, logger: silentLogger, events: { emit: () => undefined }, usedBy: () => [] });
  try {
    svc.create({ Name: 'first' });
    // Reads still work, the write fails, as on a full disk.
    svc.repo.put = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    assert.throws(() => svc.create({ Name: 'second' }), /disk is full/);
    assert.ok(!existsSync(join(paths.volumesRoot, 'second')));
    assert.ok(existsSync(join(paths.volumesRoot, 'first', '_data')));
  } finally {
    db.close();
    rmSync(root, { recursive: true, force: true });
  }
});
