// ContainerService with fakes at every port: state transitions, Docker's refusals, restart
// policies and their back-off, recovery after a crash, and what a failing runtime leaves.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ConflictError, InvalidArgumentError, NotModifiedError, SystemError } from '../../common/errors.js';
import { RuntimeError } from '../runtime/runtime-errors.js';
import { ContainerService } from './container-service.js';
import { FakeRuntime, fakeWorld, type FakeWorld } from './testing/fakes.js';

const worlds: FakeWorld[] = [];
afterEach(() => {
  for (const w of worlds.splice(0)) w.cleanup();
});

function setup(): FakeWorld & { svc: ContainerService } {
  const w = fakeWorld();
  worlds.push(w);
  return { ...w, svc: new ContainerService(w.deps) };
}

/** Lets the service's promise chains (exit handling, a fired restart) run. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

async function running(w: { svc: ContainerService }, body: Record<string, unknown> = {}, name = 'web'): Promise<string> {
  const { Id } = await w.svc.create({ name, body: { Image: 'busybox', Cmd: ['sleep', '1d'], ...body } });
  await w.svc.start(Id);
  return Id;
}

/** Ends the container's process with `code` and waits until the service has recorded the exit. */
async function exitWith(w: FakeWorld & { svc: ContainerService }, id: string, code: number): Promise<void> {
  const exited = w.svc.wait(id, 'next-exit');
  w.runtime.exit(id, code);
  await exited;
}

test('create, start, pause, unpause, stop, remove: states, events and what each port did', async () => {
  const w = setup();
  const { Id } = await w.svc.create({ name: 'web', body: { Image: 'busybox', Cmd: ['sleep', '1d'] } });
  const c = w.svc.get('web');
  assert.equal(c.State.Status, 'created');
  assert.equal(c.Path, 'sleep');
  assert.ok(w.rootfs.layers.has(Id));
  assert.equal(w.store.get(Id)?.Name, '/web');
  await w.svc.start('web');
  assert.equal(c.State.Status, 'running');
  assert.equal(c.State.Running, true);
  assert.ok(c.State.Pid > 0);
  assert.ok(w.networks.sandboxes.has(Id) && w.rootfs.mounted.has(Id));
  assert.equal(w.store.get(Id)?.State.Status, 'running', 'the stored record follows');
  await w.svc.pause('web');
  assert.deepEqual([c.State.Status, c.State.Running, c.State.Paused], ['paused', true, true]);
  assert.deepEqual(w.svc.counts(), { containers: 1, running: 0, paused: 1, stopped: 0 });
  await w.svc.unpause('web');
  assert.deepEqual([c.State.Status, c.State.Paused], ['running', false]);
  await w.svc.stop('web');
  assert.deepEqual([c.State.Status, c.State.Running, c.State.ExitCode], ['exited', false, 143]);
  assert.ok(!w.networks.sandboxes.has(Id) && !w.rootfs.mounted.has(Id), 'the exit releases network and rootfs');
  await w.svc.remove('web');
  assert.throws(() => w.svc.get('web'), { message: 'No such container: web' });
  assert.ok(!w.rootfs.layers.has(Id) && !w.store.get(Id));
  assert.ok(!existsSync(w.deps.paths.containerDir(Id)));
  assert.deepEqual(w.events.actions(Id), ['create', 'start', 'pause', 'unpause', 'kill', 'die', 'stop', 'destroy']);
});

test("each verb refused in the wrong state with dockerd's error", async () => {
  const w = setup();
  const id = await running(w);
  await assert.rejects(w.svc.start(id), (e) => e instanceof NotModifiedError && e.message === 'container already started');
  await assert.rejects(w.svc.unpause(id), (e) => e instanceof ConflictError && e.message === `Container ${id} is not paused`);
  await assert.rejects(w.svc.remove(id), (e) => e instanceof ConflictError && /container is running: stop the container before removing or force remove/.test(e.message));
  await w.svc.pause(id);
  await assert.rejects(w.svc.pause(id), { message: `Container ${id} is already paused` });
  await assert.rejects(w.svc.start(id), { message: 'cannot start a paused container, try unpause instead' });
  await assert.rejects(w.svc.remove(id), { message: 'cannot remove container "/web": container is paused: stop the container before removing or force remove' });
  await w.svc.stop(id);
  await assert.rejects(w.svc.stop(id), (e) => e instanceof NotModifiedError && e.message === 'container already stopped');
  await assert.rejects(w.svc.kill(id), (e) => e instanceof ConflictError && e.message === `Cannot kill container: ${id}: container ${id} is not running`);
  await assert.rejects(w.svc.pause(id), { message: `Container ${id} is not running` });
  await assert.rejects(w.svc.resize(id, 10, 10), { message: `Container ${id} is not running` });
  await assert.rejects(w.svc.create({ name: 'web', body: { Image: 'busybox' } }), (e) => e instanceof ConflictError && e.message.startsWith('Conflict. The container name "/web" is already in use by container'));
  await assert.rejects(w.svc.create({ body: { Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'sometimes' } } } }), InvalidArgumentError);
});

test('a stop that is ignored is followed by SIGKILL after the timeout; rm -f kills a running one', async () => {
  const w = setup();
  const id = await running(w);
  w.runtime.deadlySignals.delete(15);
  await w.svc.stop(id, { timeout: 0 });
  assert.equal(w.svc.get(id).State.ExitCode, 137);
  assert.deepEqual(w.runtime.signals.map((s) => s.signal), ['SIGTERM', 'SIGKILL']);
  assert.deepEqual(w.events.actions(id).slice(-4), ['kill', 'kill', 'die', 'stop']);
  const other = await running(w, {}, 'db');
  await w.svc.remove(other, { force: true });
  assert.throws(() => w.svc.get(other), /No such container/);
  assert.deepEqual(w.events.actions(other).slice(-3), ['kill', 'die', 'destroy']);
});

test("restart policy always: the back-off doubles with each restart in a row (Docker's 100 ms, 200 ms, 400 ms)", async () => {
  const w = setup();
  const id = await running(w, { HostConfig: { RestartPolicy: { Name: 'always' } } });
  const c = w.svc.get(id);
  for (let i = 1; i <= 3; i++) {
    await exitWith(w, id, 0);
    assert.equal(c.State.Status, 'restarting');
    assert.equal(c.State.Restarting, true);
    assert.equal(c.State.Running, false);
    assert.equal(w.timers.count, 1);
    w.timers.fireNext();
    await until(() => c.State.Running, 'the restart');
    assert.equal(c.RestartCount, i);
  }
  assert.deepEqual(w.timers.delays, [100, 200, 400]);
  assert.equal(w.events.actions(id).filter((a) => a === 'restart').length, 3);
  // A manual stop ends it: no restart is scheduled.
  await w.svc.stop(id);
  assert.equal(w.timers.count, 0);
  assert.equal(c.State.Status, 'exited');
});

/** Ends the process with 1 and holds the exit's release (the runtime delete) until the returned call. */
async function exitHeldInRelease(w: FakeWorld, id: string): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const realDelete = w.runtime.delete.bind(w.runtime);
  let deleting = false;
  w.runtime.delete = async (cid: string) => {
    deleting = true;
    await held;
    return realDelete(cid);
  };
  w.runtime.exit(id, 1);
  await until(() => deleting, 'the release of the exited container');
  return release;
}

test('an exit its policy restarts reads restarting while its resources are released: rm without force refuses it', async () => {
  const w = setup();
  const id = await running(w, { HostConfig: { RestartPolicy: { Name: 'always' } } });
  const c = w.svc.get(id);
  const release = await exitHeldInRelease(w, id);
  assert.equal(c.State.Status, 'restarting');
  assert.equal(c.State.Running, false);
  await assert.rejects(w.svc.remove(id, {}), ConflictError);
  release();
  await until(() => w.timers.count === 1, 'the scheduled restart');
  assert.equal(c.State.Status, 'restarting');
});

test('a stop while an exit is released cancels the restart the policy would have made', async () => {
  const w = setup();
  const id = await running(w, { HostConfig: { RestartPolicy: { Name: 'always' } } });
  const c = w.svc.get(id);
  const release = await exitHeldInRelease(w, id);
  const stopped = w.svc.stop(id);
  release();
  await stopped;
  await until(() => c.State.Status === 'exited', 'the exit recorded as final');
  assert.equal(w.timers.count, 0);
  assert.equal(c.State.Restarting, false);
});

test('restart policy on-failure:2 restarts a failing container twice and never one that exits 0', async () => {
  const w = setup();
  const ok = await running(w, { HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } }, 'ok');
  await exitWith(w, ok, 0);
  assert.equal(w.timers.count, 0);
  assert.equal(w.svc.get(ok).State.Status, 'exited');
  const bad = await running(w, { HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } }, 'bad');
  const c = w.svc.get(bad);
  for (let i = 1; i <= 2; i++) {
    await exitWith(w, bad, 3);
    w.timers.fireNext();
    await until(() => c.State.Running, 'the restart');
  }
  await exitWith(w, bad, 3);
  assert.equal(w.timers.count, 0, 'the retries are used up');
  assert.deepEqual([c.State.Status, c.State.ExitCode, c.RestartCount], ['exited', 3, 2]);
});

test('restart policies no and unless-stopped; stopping a restarting container cancels its restart', async () => {
  const w = setup();
  const no = await running(w, {}, 'no');
  await exitWith(w, no, 1);
  assert.equal(w.timers.count, 0);
  const us = await running(w, { HostConfig: { RestartPolicy: { Name: 'unless-stopped' } } }, 'us');
  await exitWith(w, us, 1);
  assert.equal(w.svc.get(us).State.Status, 'restarting');
  await w.svc.stop(us);
  assert.equal(w.timers.count, 0, 'the pending restart is gone');
  assert.deepEqual([w.svc.get(us).State.Status, w.svc.get(us).State.Restarting], ['exited', false]);
  await assert.rejects(w.svc.stop(us), { message: 'container already stopped' });
  // A restarting container is refused by a plain remove, as dockerd does.
  const again = await running(w, { HostConfig: { RestartPolicy: { Name: 'always' } } }, 'again');
  await exitWith(w, again, 0);
  await assert.rejects(w.svc.remove(again), { message: 'cannot remove container "/again": container is restarting: stop the container before removing or force remove' });
  await w.svc.remove(again, { force: true });
  assert.equal(w.timers.count, 0);
});

test('AutoRemove: the exit removes the container, and wait(removed) returns', async () => {
  const w = setup();
  const id = await running(w, { HostConfig: { AutoRemove: true } });
  const removed = w.svc.wait(id, 'removed');
  w.runtime.exit(id, 4);
  assert.deepEqual(await removed, { StatusCode: 4, Error: null });
  assert.equal(w.svc.list().length, 0);
});

test('recovery after a crash: a container recorded running whose process is gone exits 255; one still running is adopted', async () => {
  const w = setup();
  const gone = await running(w, {}, 'gone');
  const alive = await running(w, {}, 'alive');
  // A new berthd on the same store. Its runtime knows only the process that survived.
  const runtime = new FakeRuntime();
  await runtime.create({ id: alive });
  await runtime.start(alive);
  const svc2 = new ContainerService({ ...w.deps, runtime, events: w.events });
  assert.equal(svc2.get(gone).State.Running, true, 'the stored record says running');
  await svc2.recover();
  const g = svc2.get(gone);
  assert.deepEqual([g.State.Status, g.State.Running, g.State.ExitCode], ['exited', false, 255]);
  assert.equal(w.store.get(gone)?.State.Status, 'exited');
  const a = svc2.get(alive);
  assert.deepEqual([a.State.Status, a.State.Running], ['running', true]);
  // The adopted one's exit is followed.
  const exited = svc2.wait(alive, 'next-exit');
  runtime.exit(alive, 2);
  assert.equal((await exited).StatusCode, 2);
  assert.equal(a.State.Status, 'exited');
});

test('recovery restarts what the policy asks for, and finishes a removal cut short', async () => {
  const w = setup();
  const always = await running(w, { HostConfig: { RestartPolicy: { Name: 'always' } } }, 'always');
  const { Id: removing } = await w.svc.create({ name: 'removing', body: { Image: 'busybox', Cmd: ['true'] } });
  // A record as a berthd killed mid-removal stored it.
  const doc = w.store.get(removing)!;
  w.store.save({ ...doc, State: { ...doc.State, Status: 'removing' } });
  const svc2 = new ContainerService({ ...w.deps, runtime: new FakeRuntime(), events: w.events });
  await svc2.recover();
  const c = svc2.get(always);
  assert.deepEqual([c.State.Status, c.State.Running, c.RestartCount], ['running', true, 1]);
  assert.ok(w.events.actions(always).includes('restart'));
  assert.throws(() => svc2.get(removing), /No such container/);
  assert.ok(!w.store.get(removing));
});

test("a runtime that cannot exec the command: Docker's 127 and message; the sandbox and mount are undone", async () => {
  const w = setup();
  const { Id } = await w.svc.create({ name: 'nope', body: { Image: 'busybox', Cmd: ['nope'] } });
  w.runtime.failNext('create', new RuntimeError('exec: "nope": executable file not found in $PATH', 'create'));
  await assert.rejects(
    w.svc.start(Id),
    (e) =>
      e instanceof InvalidArgumentError &&
      e.message ===
        'failed to create task for container: failed to create shim task: OCI runtime create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
  );
  const c = w.svc.get(Id);
  assert.deepEqual([c.State.Status, c.State.Running, c.State.ExitCode], ['created', false, 127]);
  assert.ok(!w.networks.sandboxes.has(Id) && !w.rootfs.mounted.has(Id));
});

test('a failing network setup or runtime start: a 500 naming the container, nothing left behind, a later start works', async () => {
  const w = setup();
  const { Id } = await w.svc.create({ name: 'web', body: { Image: 'busybox', Cmd: ['sleep', '1d'] } });
  w.networks.failSetup = new Error('port is already allocated');
  await assert.rejects(w.svc.start(Id), (e) => e instanceof SystemError && e.message === `failed to start container ${Id}: port is already allocated`);
  const c = w.svc.get(Id);
  assert.deepEqual([c.State.Status, c.State.ExitCode, c.State.Error], ['created', 128, 'port is already allocated']);
  assert.ok(!w.rootfs.mounted.has(Id), 'the rootfs mounted alongside is unmounted');
  w.networks.failSetup = undefined;
  w.runtime.failNext('start', new Error('cgroup busy'));
  await assert.rejects(w.svc.start(Id), { message: `failed to start container ${Id}: cgroup busy` });
  assert.ok(!w.runtime.procs.has(Id), 'the runtime container created before the failure is deleted');
  await w.svc.start(Id);
  assert.equal(c.State.Status, 'running');
  assert.equal(c.State.Error, '');
});

test('an attach before start is connected before the process starts; a failed start fails it', async () => {
  const w = setup();
  const { Id } = await w.svc.create({ name: 'web', body: { Image: 'busybox', Cmd: ['echo', 'hi'] } });
  const attached = w.svc.attach(Id, { stdin: false });
  await w.svc.start(Id);
  assert.ok((await attached).stdout);
  const calls = w.runtime.calls.filter((x) => /^(attach|start) /.test(x)).map((x) => x.split(' ')[0]);
  assert.deepEqual(calls, ['attach', 'start']);
  await w.svc.stop(Id);
  const failing = w.svc.attach(Id, { stdin: false });
  w.runtime.failNext('create', new Error('no memory'));
  await assert.rejects(w.svc.start(Id));
  await assert.rejects(failing, /no memory/);
});
