import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll } from '../../src/client/api-client.js';
import { api, docker } from '../helpers/daemon.js';

// Bugs a new user hit with the real docker CLI (issues 9 and 10), each pinned to dockerd's answer.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const DEBIAN = '127.0.0.1:5000/library/debian:bookworm';
const P = `fid-${process.pid}`;
const containers = new Set<string>();
const networks = new Set<string>();
const images = new Set<string>();

after(async () => {
  if (containers.size) await docker('rm', '-f', ...containers);
  for (const n of networks) await docker('network', 'rm', n);
  if (images.size) await docker('rmi', '-f', ...images);
});

/** Status and body of one request, whatever the status. */
async function call(method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {}) {
  const res = await api().request(method, path, opts);
  const text = (await readAll(res)).toString();
  return { status: res.statusCode ?? 0, text };
}

async function runDetached(name: string, ...args: string[]): Promise<string> {
  containers.add(name);
  const r = await docker('run', '-d', '--name', name, ...args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** Waits (bounded) until the container's log holds `text`: its shell has set its traps. */
async function untilLogged(name: string, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await docker('logs', name)).stdout.includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${name} never logged ${JSON.stringify(text)}`);
}

test('stop?t=-5 waits without limit, a forced remove still kills and removes at once, and the stop then returns', async () => {
  const name = `${P}-stop`;
  // PID 1 without a TERM handler ignores SIGTERM: only SIGKILL ends it.
  await runDetached(name, BUSYBOX, 'sleep', '600');
  const ac = new AbortController();
  const guard = setTimeout(() => ac.abort(), 60_000);
  const stop = call('POST', `/containers/${name}/stop`, { query: { t: '-5' }, signal: ac.signal });
  const early = await Promise.race([stop.then(() => 'returned'), new Promise((r) => setTimeout(() => r('waiting'), 1500))]);
  assert.equal(early, 'waiting', 'a negative timeout never sends SIGKILL');
  const rm = await docker('rm', '-f', name);
  assert.equal(rm.code, 0, rm.stderr);
  containers.delete(name);
  assert.equal((await stop).status, 204);
  assert.equal((await call('GET', `/containers/${name}/json`)).status, 404);

  // The same for a restart that waits: the removal wins, the restart does not start it again.
  await runDetached(name, BUSYBOX, 'sleep', '600');
  const restart = call('POST', `/containers/${name}/restart`, { query: { t: '-1' }, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 500));
  const rm2 = await docker('rm', '-f', name);
  assert.equal(rm2.code, 0, rm2.stderr);
  containers.delete(name);
  const restarted = await restart;
  assert.equal(restarted.status, 409, restarted.text);
  assert.match(restarted.text, /marked for removal/);
  assert.equal((await call('GET', `/containers/${name}/json`)).status, 404);
  clearTimeout(guard);
});

test('negative timeouts (query t, restart t, Config.StopTimeout) let the process exit on its own; a bad t is 400', async () => {
  const name = `${P}-graceful`;
  const script = 'trap "sleep 1; exit 7" TERM; trap "exit 9" USR1; echo ready; while :; do sleep 0.1; done';
  await runDetached(name, '--stop-timeout', '-1', BUSYBOX, 'sh', '-c', script);
  await untilLogged(name, 'ready');
  assert.equal((await call('GET', `/containers/${name}/json`)).text.includes('"StopTimeout":-1'), true);
  // No t: the container's StopTimeout -1 waits; a SIGKILL after the default 10 s would not be 7 either.
  assert.equal((await call('POST', `/containers/${name}/stop`)).status, 204);
  assert.equal(JSON.parse((await call('GET', `/containers/${name}/json`)).text).State.ExitCode, 7);
  assert.equal((await call('POST', `/containers/${name}/start`)).status, 204);
  await untilLogged(name, 'ready\nready');
  assert.equal((await call('POST', `/containers/${name}/restart`, { query: { t: '-3' } })).status, 204);
  const st = JSON.parse((await call('GET', `/containers/${name}/json`)).text).State;
  assert.equal(st.Running, true);
  await untilLogged(name, 'ready\nready\nready');
  const bad = await call('POST', `/containers/${name}/stop`, { query: { t: 'soon' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /strconv.Atoi: parsing \\"soon\\": invalid syntax/);
  assert.equal((await call('POST', `/containers/${name}/stop`, { query: { t: '-1' } })).status, 204);
  assert.equal(JSON.parse((await call('GET', `/containers/${name}/json`)).text).State.ExitCode, 7);
  // `signal` counts from API 1.42 on: an older client's stop sends the stop signal.
  for (const [version, code] of [
    ['1.41', 7],
    ['1.42', 9],
  ] as const) {
    assert.equal((await call('POST', `/containers/${name}/start`)).status, 204);
    await untilLogged(name, 'ready\n'.repeat(version === '1.41' ? 4 : 5).trimEnd());
    const res = await api(version).request('POST', `/containers/${name}/stop`, { query: { t: '-1', signal: 'SIGUSR1' } });
    await readAll(res);
    assert.equal(res.statusCode, 204);
    assert.equal(JSON.parse((await call('GET', `/containers/${name}/json`)).text).State.ExitCode, code, version);
  }
});

test('ps --filter name= matches every name with its leading slash, as a regexp', async () => {
  await runDetached(`${P}-web-1`, BUSYBOX, 'sleep', '600');
  await runDetached(`${P}-db-1`, BUSYBOX, 'sleep', '600');
  const names = async (filter: string) =>
    (await docker('ps', '-a', '--filter', `name=${filter}`, '--format', '{{.Names}}')).stdout.split('\n').filter(Boolean).sort();
  assert.deepEqual(await names(`^/${P}-web`), [`${P}-web-1`]);
  assert.deepEqual(await names(`^${P}-web`), [`${P}-web-1`]);
  assert.deepEqual(await names(`/${P}-db-1`), [`${P}-db-1`]);
  assert.deepEqual(await names(`^/${P}-.*-1$`), [`${P}-db-1`, `${P}-web-1`]);
  assert.deepEqual(await names(`${P}-(web|db)`), [`${P}-db-1`, `${P}-web-1`]);
  assert.deepEqual(await names(`^/${P}-x`), []);
  const bad = await docker('ps', '-a', '--filter', `name=${P}[`);
  assert.equal(bad.code, 0, bad.stderr);
});

test("--entrypoint '' drops the image's entrypoint and runs Cmd as given", async () => {
  const r = await docker('run', '--rm', '--entrypoint', '', BUSYBOX, 'echo', 'no-entrypoint');
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'no-entrypoint\n');
  assert.equal(r.code, 0);
  // An image with an entrypoint: '' drops it, [] drops it too and keeps the image's Cmd.
  const base = `${P}-ep-base`;
  containers.add(base);
  assert.equal((await docker('create', '--name', base, BUSYBOX, 'true')).code, 0);
  const tag = `${P}-ep:latest`;
  images.add(tag);
  const commit = await docker('commit', '--change', 'ENTRYPOINT ["echo", "from-entrypoint"]', '--change', 'CMD ["image-cmd"]', base, tag);
  assert.equal(commit.code, 0, commit.stderr);
  assert.equal((await docker('run', '--rm', tag, 'x')).stdout, 'from-entrypoint x\n');
  assert.equal((await docker('run', '--rm', '--entrypoint', '', tag, 'echo', 'plain')).stdout, 'plain\n');
  const none = await docker('run', '--rm', '--entrypoint', '', tag);
  assert.equal(none.code, 125);
  assert.match(none.stderr, /no command specified/);
  for (const [shape, want] of [
    [[], 'image-cmd'],
    [null, 'echo from-entrypoint image-cmd'],
  ] as const) {
    const cr = await call('POST', '/containers/create', { body: { Image: tag, Entrypoint: shape } });
    assert.equal(cr.status, 201, cr.text);
    const id = JSON.parse(cr.text).Id as string;
    containers.add(id);
    const info = JSON.parse((await call('GET', `/containers/${id}/json`)).text);
    assert.equal([info.Path, ...info.Args].join(' '), want, JSON.stringify(shape));
  }
});

test('network connect moves a default-bridge container to the embedded DNS, disconnect moves it back', async () => {
  const net = `${P}-net`;
  const net2 = `${P}-net2`;
  for (const [n, subnet] of [
    [net, '10.243.31.0/24'],
    [net2, '10.243.32.0/24'],
  ] as const) {
    const r = await docker('network', 'create', '--subnet', subnet, n);
    assert.equal(r.code, 0, r.stderr);
    networks.add(n);
  }
  const peer = `${P}-peer`;
  const far = `${P}-far`;
  await runDetached(peer, '--network', net, DEBIAN, 'sleep', '600');
  await runDetached(far, '--network', net2, DEBIAN, 'sleep', '600');
  const ipOf = async (c: string, n: string) => (await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${n}").IPAddress}}`, c)).stdout.trim();
  const resolves = async (c: string, host: string) => (await docker('exec', c, 'getent', 'hosts', host)).stdout.split(/\s+/)[0] ?? '';
  const nameserver = async (c: string) => /^nameserver (\S+)/m.exec((await docker('exec', c, 'cat', '/etc/resolv.conf')).stdout)?.[1];

  // Started on the default bridge, then connected: names of the network resolve.
  const mover = `${P}-mover`;
  await runDetached(mover, DEBIAN, 'sleep', '600');
  // One in its namespace follows it.
  const sharer = `${P}-sharer`;
  await runDetached(sharer, '--network', `container:${mover}`, DEBIAN, 'sleep', '600');
  const hostNs = await nameserver(mover);
  assert.equal(await resolves(mover, peer), '');
  assert.equal((await docker('network', 'connect', net, mover)).code, 0);
  assert.equal(await resolves(mover, peer), await ipOf(peer, net));
  assert.equal(await nameserver(mover), '10.243.31.1');
  assert.equal(await resolves(sharer, peer), await ipOf(peer, net));
  // A second user network: its names resolve too, through the same server.
  assert.equal((await docker('network', 'connect', net2, mover)).code, 0);
  assert.equal(await resolves(mover, far), await ipOf(far, net2));
  assert.equal((await docker('network', 'disconnect', net2, mover)).code, 0);
  assert.equal(await resolves(mover, far), '');
  // The last user network gone: back to the host's resolvers.
  assert.equal((await docker('network', 'disconnect', net, mover)).code, 0);
  assert.equal(await nameserver(mover), hostNs);
  assert.equal(await nameserver(sharer), hostNs);

  // Created on the network, then connected to the default bridge: names still resolve.
  const user = `${P}-user`;
  await runDetached(user, '--network', net, DEBIAN, 'sleep', '600');
  assert.equal((await docker('network', 'connect', 'bridge', user)).code, 0);
  assert.equal(await resolves(user, peer), await ipOf(peer, net));
  assert.equal((await docker('network', 'disconnect', net, user)).code, 0);
  assert.equal(await nameserver(user), hostNs);
});

test('--device-cgroup-rule lands in the devices cgroup: the device opens', async () => {
  const script = 'mknod /dev/vcsa-t c 7 128 && head -c 4 /dev/vcsa-t | wc -c';
  const denied = await docker('run', '--rm', BUSYBOX, 'sh', '-c', script);
  assert.match(denied.stderr, /Operation not permitted/);
  const r = await docker('run', '--rm', '--device-cgroup-rule', 'c 7:128 rwm', BUSYBOX, 'sh', '-c', `${script}; grep '^c 7:128' /sys/fs/cgroup/devices/devices.list || true`);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^\s*4\n/);
  const wild = await docker('run', '--rm', '--device-cgroup-rule', 'c 7:* rw', BUSYBOX, 'sh', '-c', script);
  assert.match(wild.stdout, /^\s*4\n/, wild.stderr);
  const bad = await call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['true'], HostConfig: { DeviceCgroupRules: ['c 7-128 rwm'] } } });
  if (bad.status === 201) containers.add(JSON.parse(bad.text).Id);
  const started = bad.status === 201 ? await call('POST', `/containers/${JSON.parse(bad.text).Id}/start`) : bad;
  assert.match(started.text, /invalid device cgroup rule format: 'c 7-128 rwm'/);
});

test('exec of a process that cannot start: 127 not found, 126 not executable, 400 for a detached start', async () => {
  const name = `${P}-exec`;
  await runDetached(name, BUSYBOX, 'sleep', '600');
  const missing = await docker('exec', name, 'no-such-binary');
  assert.equal(missing.code, 127);
  assert.match(missing.stdout + missing.stderr, /exec: "no-such-binary": executable file not found in \$PATH/);
  assert.equal((await docker('exec', name, '/etc/passwd')).code, 126);
  assert.equal((await docker('exec', name, '/etc')).code, 126);
  const { Id } = JSON.parse((await call('POST', `/containers/${name}/exec`, { body: { Cmd: ['no-such-binary'] } })).text);
  const start = await call('POST', `/exec/${Id}/start`, { body: { Detach: true } });
  assert.equal(start.status, 400, start.text);
  assert.equal(JSON.parse((await call('GET', `/exec/${Id}/json`)).text).ExitCode, 127);
});

test('a container that exits in the middle of commit, pause, top, stats, exec or export never answers 500', async () => {
  const failures: string[] = [];
  for (let round = 0; round < 8; round++) {
    const name = `${P}-race-${round}`;
    // Each round exits after a different short sleep, so the requests land on both sides of the exit.
    await runDetached(name, BUSYBOX, 'sleep', `0.${2 + round}`);
    for (let wave = 0; wave < 6; wave++) {
      const ops: [string, Promise<{ status: number; text: string }>][] = [
        ['commit', call('POST', '/commit', { query: { container: name, pause: '1' } })],
        ['pause', call('POST', `/containers/${name}/pause`).then(async (r) => (r.status === 204 ? call('POST', `/containers/${name}/unpause`) : r))],
        ['top', call('GET', `/containers/${name}/top`)],
        ['stats', call('GET', `/containers/${name}/stats`, { query: { stream: '0' } })],
        ['exec', call('POST', `/containers/${name}/exec`, { body: { Cmd: ['true'] } }).then((r) =>
          r.status === 201 ? call('POST', `/exec/${JSON.parse(r.text).Id}/start`, { body: { Detach: true } }) : r)],
        ['export', call('GET', `/containers/${name}/export`)],
        ['kill', call('POST', `/containers/${name}/kill`, { query: { signal: 'SIGCONT' } })],
      ];
      for (const [op, p] of ops) {
        const r = await p;
        if (op === 'commit' && r.status === 201) images.add(JSON.parse(r.text).Id);
        if (r.status >= 500) failures.push(`${op}: ${r.status} ${r.text.trim()}`);
        // A 409 is Docker's answer for a container that is not running, or paused (or not) by the commit beside it.
        if (r.status === 409 && !/is not running|is paused|is already paused|is not paused/i.test(r.text)) failures.push(`${op}: 409 ${r.text.trim()}`);
      }
      // One wave per round ends with a forced remove, near the exit or after it; later waves get 404s.
      if (wave === round % 6) {
        const r = await call('DELETE', `/containers/${name}`, { query: { force: '1' } });
        if (r.status >= 500) failures.push(`rm: ${r.status} ${r.text.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50 + 20 * wave));
    }
  }
  assert.deepEqual(failures, []);
});
