import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readAll } from '../helpers/raw-client.js';
import { busyboxFile, BUSYBOX } from '../helpers/busybox.js';
import { api, berth } from '../helpers/daemon.js';

// Healthchecks that act: --health-on-failure (label berth.health-on-failure), events saying why,
// the last five probe results kept, and a probe that never outlives its timeout.

const created = busyboxFile();

const inspect = (id: string) => api().call('GET', `/containers/${id}/json`);

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function events(id: string, since: number): Promise<string[]> {
  const res = await api().stream('GET', '/events', {
    query: { since: String(since), until: String(Date.now() / 1000), filters: JSON.stringify({ container: [id] }) },
  });
  return (await readAll(res))
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).Action as string);
}

test('--health-on-failure=restart restarts a container that turned unhealthy, and events say why', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  const r = await berth(
    'run', '-d', '--health-cmd', 'test -f /tmp/healthy', '--health-interval', '300ms', '--health-retries', '1',
    '--health-on-failure', 'restart', BUSYBOX, 'sh', '-c', 'touch /tmp/healthy; sleep 300',
  );
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  created.push(id);
  const first = await inspect(id);
  assert.equal(first.Config.Labels['berth.health-on-failure'], 'restart');
  await until('healthy', async () => (await inspect(id)).State.Health?.Status === 'healthy');
  // Turn it unhealthy: the probe's file goes; the restarted container makes it again.
  assert.equal((await berth('exec', id, 'rm', '/tmp/healthy')).code, 0);
  const restarted = await until('a restart', async () => {
    const c = await inspect(id);
    return c.RestartCount >= 1 && c.State.Running && c.State.StartedAt !== first.State.StartedAt && c;
  });
  assert.equal(restarted.HostConfig.RestartPolicy.Name, 'no', 'restarted whatever the restart policy');
  await until('healthy again', async () => (await inspect(id)).State.Health?.Status === 'healthy');
  const actions = await events(id, since);
  for (const a of ['health_status: healthy', 'health_status: unhealthy', 'health_on_failure', 'die', 'restart']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  assert.ok(actions.indexOf('health_on_failure') < actions.lastIndexOf('restart'));
});

test('--health-on-failure=stop stops it for good; State.Health keeps the last 5 results', async () => {
  const r = await berth(
    'run', '-d', '--restart', 'always', '--stop-timeout', '1', '--health-cmd', 'false', '--health-interval', '200ms', '--health-retries', '7',
    '--health-on-failure', 'stop', BUSYBOX, 'sleep', '300',
  );
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  created.push(id);
  const c = await until('stopped', async () => {
    const c = await inspect(id);
    return !c.State.Running && !c.State.Restarting && c;
  });
  assert.equal(c.State.Health.Status, 'unhealthy');
  assert.equal(c.State.Health.Log.length, 5);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await inspect(id)).State.Running, false, 'the always policy does not bring it back');
});

test('a probe that runs past its timeout is killed with everything it started', async () => {
  const id = (
    await api().call('POST', '/containers/create', {
      body: {
        Image: BUSYBOX,
        Cmd: ['sleep', '300'],
        Healthcheck: { Test: ['CMD-SHELL', 'sleep 77; true'], Interval: 300e6, Timeout: 300e6, Retries: 1 },
      },
    })
  ).Id;
  created.push(id);
  await api().call('POST', `/containers/${id}/start`);
  const c = await until('unhealthy', async () => {
    const c = await inspect(id);
    return c.State.Health?.Status === 'unhealthy' && c;
  });
  assert.match(c.State.Health.Log.at(-1).Output, /exceeded timeout/);
  // A probe starts every 300 ms and each lives 300 ms: killed with its children, at most one
  // `sleep 77` is ever there; left behind they would pile up.
  await new Promise((r) => setTimeout(r, 3000));
  const ps = execFileSync('ps', ['-eo', 'args']).toString();
  const sleeps = ps.split('\n').filter((l) => l.startsWith('sleep 77')).length;
  assert.ok(sleeps <= 1, `${sleeps} probe processes left running`);
});
