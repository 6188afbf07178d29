import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Readable } from 'node:stream';
import { silentLogger } from '../../common/logger.js';
import { ContainerRuntime } from './conmon-runtime.js';
import { containerCgroupDirs } from './container-cgroups.js';
import { prepareHost } from './host-setup.js';
import { startFailureExitCode } from './runtime-errors.js';
import { makeTestHost, minimalSpec, testId, type TestHost } from './testing/busybox-bundle.js';
import { cgroupV2, memoryLimitOf, pidsLimitOf, readContainerCgroup } from '../../../test/helpers/cgroups.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

let host: TestHost;
const runtimes = { crun: { path: '/usr/bin/crun' }, runc: { path: '/usr/sbin/runc' } };
const made: string[] = [];
const newRuntime = (): ContainerRuntime => new ContainerRuntime({ paths: host.paths, runtimes, defaultRuntime: 'crun', logger: silentLogger });

before(async () => {
  await prepareHost(silentLogger);
  host = makeTestHost();
});
after(async () => {
  const rt = newRuntime();
  for (const id of made) await rt.cleanup(id);
  host.remove();
});

async function create(rt: ContainerRuntime, args: string[], opts: { tty?: boolean; openStdin?: boolean; memory?: number } = {}): Promise<string> {
  const id = testId('c');
  made.push(id);
  const spec = minimalSpec(host.rootfs, id, args, opts.tty);
  if (opts.memory) spec.linux!.resources!.memory = { limit: opts.memory, swap: opts.memory };
  await rt.create({
    id,
    name: id,
    bundleDir: host.bundle(id),
    spec,
    logPath: join(host.paths.containerDir(id), 'ctr.log'),
    tty: !!opts.tty,
    openStdin: !!opts.openStdin,
    stdinOnce: true,
  });
  return id;
}

function collect(s: Readable): Promise<string> {
  const parts: Buffer[] = [];
  s.on('data', (b: Buffer) => parts.push(b));
  return new Promise((r) => s.on('end', () => r(Buffer.concat(parts).toString())));
}

test('exit codes: 0, 3, and 137 after SIGKILL; delete leaves no cgroup or run dir', async () => {
  const rt = newRuntime();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const id = await create(rt, ['/bin/true']);
    await rt.start(id);
    const st = await rt.waitExit(id);
    await rt.delete(id);
    times.push(performance.now() - t0);
    assert.equal(st.exitCode, 0);
    assert.equal(st.oomKilled, false);
    assert.deepEqual(containerCgroupDirs(id).filter((d) => existsSync(d)), []);
    assert.equal(existsSync(host.paths.containerRunDir(id)), false);
    assert.equal(await rt.state(id), null);
  }
  times.sort((a, b) => a - b);
  console.log(`create→start→exit→delete, median of 5: ${times[2]!.toFixed(1)} ms`);

  const id3 = await create(rt, ['sh', '-c', 'exit 3']);
  await rt.start(id3);
  assert.equal((await rt.waitExit(id3)).exitCode, 3);
  await rt.delete(id3);

  const idk = await create(rt, ['sleep', '100']);
  await rt.start(idk);
  assert.equal((await rt.state(idk))?.status, 'running');
  await rt.kill(idk, 'SIGKILL');
  assert.equal((await rt.waitExit(idk)).exitCode, 137);
  assert.equal((await rt.state(idk))?.status, 'stopped');
  await rt.delete(idk);
});

test('a container outlives the runtime object that created it', async () => {
  const id = await create(newRuntime(), ['sh', '-c', 'sleep 0.3; exit 7']);
  await newRuntime().start(id);
  const fresh = newRuntime();
  assert.deepEqual(fresh.listLive().includes(id), true);
  assert.equal((await fresh.waitExit(id)).exitCode, 7);
  await fresh.delete(id);
  assert.equal(fresh.listLive().includes(id), false);
});

test('attach before start captures early stdout and stderr separately', async () => {
  const rt = newRuntime();
  const id = await create(rt, ['sh', '-c', 'echo out1; echo err1 >&2; echo out2']);
  const a = await rt.attach(id);
  const out = collect(a.stdout);
  const err = collect(a.stderr);
  await rt.start(id);
  assert.equal(await out, 'out1\nout2\n');
  assert.equal(await err, 'err1\n');
  assert.equal((await rt.waitExit(id)).exitCode, 0);
  const log = readFileSync(join(host.paths.containerDir(id), 'ctr.log'), 'utf8');
  assert.match(log, /stdout F out1\n/);
  assert.match(log, /stderr F err1\n/);
  await rt.delete(id);
});

test('stdin round trip through cat, closed by closeStdin', async () => {
  const rt = newRuntime();
  const id = await create(rt, ['cat'], { openStdin: true });
  const a = await rt.attach(id);
  const out = collect(a.stdout);
  await rt.start(id);
  const big = 'x'.repeat(20000);
  a.stdin!.write('hello\n');
  a.stdin!.write(big);
  a.closeStdin();
  assert.equal(await out, `hello\n${big}`);
  assert.equal((await rt.waitExit(id)).exitCode, 0);
  await rt.delete(id);
});

test('tty: consoleSize then resize is seen by stty size', async () => {
  const rt = newRuntime();
  const id = await create(rt, ['sh', '-c', 'stty size; read x; stty size'], { tty: true, openStdin: true });
  const a = await rt.attach(id);
  let text = '';
  a.stdout.on('data', (b: Buffer) => (text += b.toString()));
  await rt.start(id);
  while (!text.includes('24 80')) await new Promise((r) => setTimeout(r, 10));
  await rt.resize(id, 40, 100);
  a.stdin!.write('go\r');
  await a.done;
  assert.match(text, /24 80\r\n/);
  assert.match(text, /40 100\r\n/);
  assert.equal((await rt.waitExit(id)).exitCode, 0);
  await rt.delete(id);
});

test('exec: output, exit code, and an error for a stopped container', async () => {
  const rt = newRuntime();
  const id = await create(rt, ['sleep', '100']);
  await rt.start(id);
  const proc = minimalSpec(host.rootfs, id, ['sh', '-c', 'echo in-exec; echo e >&2; exit 5']).process;
  const s = await rt.exec(id, 'exec1', proc, { tty: false, stdin: false, attach: true });
  assert.ok(s.pid > 0);
  const out = collect(s.attach!.stdout);
  const err = collect(s.attach!.stderr);
  assert.equal(await s.exit, 5);
  assert.equal(await out, 'in-exec\n');
  assert.equal(await err, 'e\n');

  const d = await rt.exec(id, 'exec2', { ...proc, args: ['sh', '-c', 'exit 2'] }, { tty: false, stdin: false, attach: false });
  assert.equal(await d.exit, 2);

  await rt.kill(id, 9);
  await rt.waitExit(id);
  await assert.rejects(rt.exec(id, 'exec3', proc, { tty: false, stdin: false, attach: false }), /not running/);
  await rt.delete(id);
});

test('a missing executable fails create with crun\'s message, classified 127, nothing left behind', async () => {
  const rt = newRuntime();
  const id = testId('f');
  await assert.rejects(
    rt.create({ id, name: id, bundleDir: host.bundle(id), spec: minimalSpec(host.rootfs, id, ['/nonexistent']), logPath: join(host.root, 'f.log'), tty: false, openStdin: false, stdinOnce: false }),
    (err: Error) => {
      assert.match(err.message, /nonexistent/);
      assert.equal(startFailureExitCode(err.message), 127);
      return true;
    },
  );
  assert.equal(await rt.state(id), null);
  assert.deepEqual(containerCgroupDirs(id).filter((d) => existsSync(d)), []);
  assert.equal(existsSync(host.paths.containerRunDir(id)), false);
});

test('OOM kill is detected', async () => {
  const rt = newRuntime();
  const id = await create(rt, ['sh', '-c', 'x=$(yes | head -c 100000000); echo survived'], { memory: 8 * 1024 * 1024 });
  await rt.start(id);
  const st = await rt.waitExit(id);
  assert.equal(st.oomKilled, true);
  assert.equal(st.exitCode, 137);
  await rt.delete(id);
});

test('pause, resume and update', async () => {
  const rt = newRuntime();
  const id = await create(rt, ['sleep', '100']);
  await rt.start(id);
  await rt.pause(id);
  assert.equal((await rt.state(id))?.status, 'paused');
  await rt.resume(id);
  assert.equal((await rt.state(id))?.status, 'running');
  await rt.update(id, { pids: { limit: 42 } });
  assert.equal(pidsLimitOf(id), '42');
  await rt.update(id, { Memory: 64 * 1024 * 1024, CpuShares: 512 });
  assert.equal(memoryLimitOf(id), String(64 * 1024 * 1024));
  assert.equal(readContainerCgroup(id, 'cpu', { v1: 'cpu.shares', v2: 'cpu.weight' }), cgroupV2 ? '20' : '512');
  // Lowering memory below memory+swap and raising it above: berth orders the v1 writes itself.
  await rt.update(id, { Memory: 16 * 1024 * 1024, MemorySwap: 32 * 1024 * 1024 });
  assert.equal(memoryLimitOf(id), String(16 * 1024 * 1024));
  await rt.update(id, { Memory: 256 * 1024 * 1024, MemorySwap: 512 * 1024 * 1024 });
  assert.equal(memoryLimitOf(id), String(256 * 1024 * 1024));
  await assert.rejects(rt.update(id, { Memory: 1 }), /Minimum memory limit allowed is 6MB/);
  await rt.delete(id, { force: true });
  assert.equal(await rt.state(id), null);
  assert.deepEqual(containerCgroupDirs(id).filter((d) => existsSync(d)), []);
});
