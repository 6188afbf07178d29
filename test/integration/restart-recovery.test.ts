import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAll, readJsonLines } from '../helpers/raw-client.js';
import { PrivateDaemon } from '../helpers/private-daemon.js';

// Restart policies as guarantees, with a berthd of the test's own: a container that exits while
// berthd is dead (kill -9) is restarted when it is back; after a simulated reboot (every conmon and
// container killed, netns, mounts and run dir gone) always/unless-stopped come back in dependency
// order; a SIGKILLed conmon is an exit.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const daemon = new PrivateDaemon({ name: 'lcrec', bip: '10.252.1.1/24' });
const api = daemon.client;

before(async () => {
  await daemon.start();
  const res = await api.stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
});

after(async () => {
  await daemon.remove();
});

const inspect = (id: string) => api.call('GET', `/containers/${id}/json`);

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(name: string, restart: string, cmd: string[], host: Record<string, unknown> = {}): Promise<string> {
  const { Id } = await api.call('POST', '/containers/create', {
    query: { name },
    body: { Image: BUSYBOX, Cmd: cmd, HostConfig: { RestartPolicy: { Name: restart }, ...host } },
  });
  await api.call('POST', `/containers/${Id}/start`);
  return Id;
}

async function events(since: number): Promise<{ Action: string; Actor: { ID: string; Attributes: Record<string, string> } }[]> {
  const res = await api.stream('GET', '/events', { query: { since: String(since), until: String(Date.now() / 1000 + 1), filters: JSON.stringify({ type: ['container'] }) } });
  return (await readAll(res)).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Exits 3 the first time, stays up once restarted (its marker survives in the container's layer).
const ONCE = ['sh', '-c', 'if [ -f /marker ]; then exec sleep 300; fi; touch /marker; sleep 2; exit 3'];

test('containers that exit while berthd is dead are restarted by their policy when it is back, their exit code recorded', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const ids = {
    always: await run('k-always', 'always', ONCE),
    unless: await run('k-unless', 'unless-stopped', ONCE),
    failure: await run('k-failure', 'on-failure', ONCE),
    no: await run('k-no', 'no', ONCE),
  };
  await daemon.stop('SIGKILL');
  // The containers exit (3) while no berthd watches.
  await new Promise((r) => setTimeout(r, 3500));
  await daemon.start();
  for (const k of ['always', 'unless', 'failure'] as const) {
    const c = await until(`${k} restarted`, async () => {
      const c = await inspect(ids[k]);
      return c.State.Running && c.RestartCount === 1 && c;
    });
    assert.equal(c.State.Status, 'running');
  }
  const no = await inspect(ids.no);
  assert.equal(no.State.Running, false);
  assert.equal(no.State.ExitCode, 3);
  const died = (await events(since)).filter((e) => e.Action === 'die');
  for (const id of Object.values(ids)) assert.ok(died.some((e) => e.Actor.ID === id && e.Actor.Attributes.exitCode === '3'), `die with exit code 3 for ${id}`);
  for (const id of Object.values(ids)) await api.call('DELETE', `/containers/${id}`, { query: { force: '1' } });
});

test('after a simulated reboot berthd starts always and unless-stopped containers, in dependency order', async () => {
  const sleep = ['sleep', '300'];
  const db = await run('r-db', 'always', sleep);
  const web = await run('r-web', 'always', sleep, { Links: ['r-db:db'] });
  const sidecar = await run('r-sidecar', 'unless-stopped', sleep, { NetworkMode: `container:${web}` });
  const no = await run('r-no', 'no', sleep);
  const stopped = await run('r-stopped', 'unless-stopped', sleep);
  await api.call('POST', `/containers/${stopped}/stop`, { query: { t: '0' } });
  const all = [db, web, sidecar, no, stopped];
  const pids = await Promise.all(all.map(async (id) => (await inspect(id)).State.Pid as number));
  await daemon.stop('SIGTERM');
  // The "reboot": every monitor and container process killed, the runtime's state, run dir,
  // network namespaces and mounts gone.
  for (const id of all) {
    try {
      process.kill(Number(readFileSync(join(daemon.execRoot, 'containers', id, 'conmon.pid'), 'utf8')), 'SIGKILL');
    } catch {
      /* not running */
    }
  }
  for (const pid of pids) if (pid > 0) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  await new Promise((r) => setTimeout(r, 300));
  for (const id of all) execFileSync('sh', ['-c', `crun delete -f ${id} 2>/dev/null; true`]);
  execFileSync('sh', ['-c', `grep -o " ${daemon.execRoot}/[^ ]*\\| ${daemon.dataRoot}/containers/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l; true`]);
  for (const f of readdirSync(daemon.execRoot)) rmSync(join(daemon.execRoot, f), { recursive: true, force: true });
  const since = Date.now() / 1000;
  await daemon.start();
  for (const id of [db, web, sidecar]) await until(`${id} back`, async () => (await inspect(id)).State.Running);
  assert.equal((await inspect(no)).State.Running, false);
  assert.equal((await inspect(stopped)).State.Running, false, 'a stopped unless-stopped container stays stopped');
  const starts = (await events(since)).filter((e) => e.Action === 'start').map((e) => e.Actor.ID);
  assert.ok(starts.indexOf(db) < starts.indexOf(web) && starts.indexOf(web) < starts.indexOf(sidecar), 'db, then web (links it), then sidecar (its netns)');
  // The restarted web really has its link and network again.
  const hosts = await api.call('POST', `/containers/${web}/exec`, { body: { Cmd: ['cat', '/etc/hosts'], AttachStdout: true } });
  const out = await api.stream('POST', `/exec/${hosts.Id}/start`, { body: { Detach: false } });
  assert.match((await readAll(out)).toString(), /\bdb\b/);
  for (const id of all) await api.call('DELETE', `/containers/${id}`, { query: { force: '1' } });
});

test('a SIGKILLed conmon is handled as an exit, and the restart policy applies', async () => {
  const id = await run('s-conmon', 'always', ['sleep', '300']);
  const before = await inspect(id);
  process.kill(Number(readFileSync(join(daemon.execRoot, 'containers', id, 'conmon.pid'), 'utf8')), 'SIGKILL');
  const c = await until('restarted', async () => {
    const c = await inspect(id);
    return c.State.Running && c.RestartCount === 1 && c;
  });
  assert.notEqual(c.State.Pid, before.State.Pid);
  // The old process did not survive its monitor (a zombie not yet reaped by init is dead too).
  let state = 'gone';
  try {
    const stat = readFileSync(`/proc/${before.State.Pid}/stat`, 'latin1');
    state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    /* gone */
  }
  assert.ok(state === 'gone' || state === 'Z' || state === 'X', `old container process is in state ${state}`);
  await api.call('DELETE', `/containers/${id}`, { query: { force: '1' } });
});

test('leftovers of containers that no longer exist are removed at start-up, and logged', async () => {
  const kept = (await api.call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['true'] } })).Id as string;
  await daemon.stop('SIGTERM');
  const ghost = 'f'.repeat(64);
  const dir = join(daemon.dataRoot, 'containers', ghost);
  for (const d of ['upper', 'work', 'merged', 'bundle']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'upper', 'junk'), 'x'.repeat(1000));
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(dir, 'merged')]);
  mkdirSync(join(daemon.execRoot, 'containers', ghost, 'exits'), { recursive: true });
  const cgroup = `/sys/fs/cgroup/pids/berth/${ghost}`;
  mkdirSync(cgroup, { recursive: true });
  const offset = daemon.logSize();
  await daemon.start();
  assert.equal(existsSync(dir), false, 'its overlay dirs are gone');
  assert.equal(existsSync(join(daemon.execRoot, 'containers', ghost)), false, 'its run dir is gone');
  assert.equal(existsSync(cgroup), false, 'its cgroup is gone');
  assert.ok(!readFileSync('/proc/self/mounts', 'utf8').includes(join(dir, 'merged')), 'its mount is gone');
  assert.match(daemon.logSince(offset), new RegExp(`removed leftovers of containers that no longer exist.*${ghost}|${ghost}.*removed leftovers`));
  assert.equal(existsSync(join(daemon.dataRoot, 'containers', kept)), true, 'a container berth knows keeps its files');
  await api.call('DELETE', `/containers/${kept}`, { query: { force: '1' } });
});
