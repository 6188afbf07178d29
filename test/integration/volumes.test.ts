import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/client/api-client.js';
import { api, berth, docker } from '../helpers/daemon.js';

// Volumes, bind mounts and tmpfs in real containers, through the berth CLI, the API and docker's CLI.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const tag = `t${process.pid}`;
const volumes: string[] = [];
const containers: string[] = [];

after(async () => {
  for (const c of containers) await berth('rm', '-f', c);
  for (const v of volumes) await berth('volume', 'rm', '-f', v);
});

function vol(name: string): string {
  const full = `${tag}-${name}`;
  volumes.push(full);
  return full;
}

async function ok(...args: string[]): Promise<string> {
  const r = await berth(...args);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('data in a named volume survives rm and is seen by the next container', async () => {
  const v = vol('data');
  await ok('run', '--rm', '-v', `${v}:/data`, BUSYBOX, 'sh', '-c', 'echo kept > /data/f');
  assert.equal(await ok('run', '--rm', '-v', `${v}:/data`, BUSYBOX, 'cat', '/data/f'), 'kept\n');
  assert.match(await ok('volume', 'ls', '-q'), new RegExp(`^${v}$`, 'm'));
});

test("a new empty volume gets the image's files (copy-up); a volume with data keeps its own", async () => {
  const v = vol('copyup');
  await ok('run', '--rm', '-v', `${v}:/bin`, BUSYBOX, 'true');
  assert.match(await ok('run', '--rm', '-v', `${v}:/x`, BUSYBOX, 'ls', '/x'), /busybox|sh/);
  const n = vol('nocopy');
  await ok('run', '--rm', '--mount', `type=volume,source=${n},target=/bin/extra,volume-nocopy`, BUSYBOX, 'true');
  assert.equal(await ok('run', '--rm', '-v', `${n}:/x`, BUSYBOX, 'ls', '-A', '/x'), '');
});

test('read-only mounts refuse writes', async () => {
  const v = vol('ro');
  const r = await berth('run', '--rm', '-v', `${v}:/data:ro`, BUSYBOX, 'touch', '/data/x');
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /Read-only file system/);
  const b = await berth('run', '--rm', '--mount', 'type=bind,source=/etc,target=/hostetc,readonly', BUSYBOX, 'touch', '/hostetc/berth-should-not-exist');
  assert.notEqual(b.code, 0);
});

test('tmpfs is empty and in memory', async () => {
  const out = await ok('run', '--rm', '--tmpfs', '/scratch:size=1m', BUSYBOX, 'sh', '-c', 'ls -A /scratch | wc -l; grep " /scratch " /proc/mounts');
  const [count, mountLine] = out.trim().split('\n');
  assert.equal(count!.trim(), '0');
  assert.match(mountLine!, /^tmpfs \/scratch tmpfs .*size=1024k/);
  const m = await ok('run', '--rm', '--mount', 'type=tmpfs,target=/t', BUSYBOX, 'sh', '-c', 'grep " /t " /proc/mounts');
  assert.match(m, /^tmpfs \/t tmpfs/);
});

test('Mounts in inspect, 409 while in use, rm -v drops anonymous volumes', async () => {
  const v = vol('inuse');
  const name = `${tag}-holder`;
  containers.push(name);
  await ok('create', '--name', name, '-v', `${v}:/data`, '-v', '/anon', '--mount', 'type=bind,source=/tmp,target=/hosttmp', BUSYBOX, 'true');
  const c = await api().call('GET', `/containers/${name}/json`);
  const by = Object.fromEntries(c.Mounts.map((m: any) => [m.Destination, m]));
  assert.deepEqual(by['/data'], { Type: 'volume', Name: v, Source: (await api().call('GET', `/volumes/${v}`)).Mountpoint, Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
  assert.deepEqual(by['/hosttmp'], { Type: 'bind', Source: '/tmp', Destination: '/hosttmp', Mode: '', RW: true, Propagation: 'rprivate' });
  const anon = by['/anon'].Name as string;
  assert.match(anon, /^[0-9a-f]{64}$/);
  await assert.rejects(api().call('DELETE', `/volumes/${v}`), (e: ApiError) => e.status === 409 && e.message === `remove ${v}: volume is in use - [${c.Id}]`);
  const r = await berth('volume', 'rm', v);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /volume is in use/);
  await ok('rm', '-v', name);
  await assert.rejects(api().call('GET', `/volumes/${anon}`), (e: ApiError) => e.status === 404 && e.message === `get ${anon}: no such volume`);
  await api().call('GET', `/volumes/${v}`);
});

test("docker's CLI manages berth volumes", async () => {
  const v = vol('docker');
  const c = await docker('volume', 'create', '--label', 'x=y', v);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, `${v}\n`);
  const ls = await docker('volume', 'ls', '--filter', 'label=x=y', '--format', '{{.Name}} {{.Driver}}');
  assert.equal(ls.stdout, `${v} local\n`);
  const insp = await docker('volume', 'inspect', v, '--format', '{{.Labels}} {{.Scope}}');
  assert.equal(insp.stdout, 'map[x:y] local\n');
  const anon = (await api().call('POST', '/volumes/create', { body: { Labels: { 'com.docker.volume.anonymous': '' } } })).Name;
  volumes.push(anon);
  const prune = await docker('volume', 'prune', '-f');
  assert.equal(prune.code, 0, prune.stderr);
  assert.match(prune.stdout, new RegExp(anon));
  assert.doesNotMatch(prune.stdout, new RegExp(v));
  const rm = await docker('volume', 'rm', v);
  assert.equal(rm.code, 0, rm.stderr);
  const gone = await docker('volume', 'inspect', v);
  assert.equal(gone.code, 1);
});
