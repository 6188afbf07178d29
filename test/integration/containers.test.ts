import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ApiError, readAll, readJsonLines } from '../helpers/raw-client.js';
import { FrameDecoder } from '../../src/api/streams/multiplexed.js';
import { cgroupV2, memoryLimitOf, pidsLimitOf, readContainerCgroup } from '../helpers/cgroups.js';
import { api, docker, ROOT, run, TEST_CONFIG, TEST_HOST, TEST_PID_FILE, TEST_SOCKET } from '../helpers/daemon.js';

// Real containers through berthd's API: lifecycle, isolation, limits, streams, live restore.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const created: string[] = [];

async function pull(ref: string): Promise<void> {
  const [image, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
  const res = await api().stream('POST', '/images/create', { query: { fromImage: image, tag } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
}

async function create(body: Record<string, unknown>, name?: string): Promise<string> {
  const r = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, ...body }, query: { name } });
  created.push(r.Id);
  return r.Id;
}

/** Runs a container to completion and returns its exit code and demultiplexed output. */
async function runToEnd(body: Record<string, unknown>): Promise<{ code: number; stdout: string; stderr: string; id: string }> {
  const id = await create(body);
  const wait = api().call('POST', `/containers/${id}/wait`, { query: { condition: 'next-exit' } });
  await api().call('POST', `/containers/${id}/start`);
  const { StatusCode } = await wait;
  const { stdout, stderr } = await logs(id);
  return { code: StatusCode, stdout, stderr, id };
}

async function logs(id: string, query: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const res = await api().stream('GET', `/containers/${id}/logs`, { query: { stdout: '1', stderr: '1', ...query } });
  const dec = new FrameDecoder();
  let stdout = '';
  let stderr = '';
  for (const f of dec.push(await readAll(res))) {
    if (f.stream === 1) stdout += f.payload.toString();
    else stderr += f.payload.toString();
  }
  return { stdout, stderr };
}

before(async () => {
  await pull(BUSYBOX);
});

after(async () => {
  for (const id of created) await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } }).catch(() => undefined);
});

test('a container runs, its output is logged and its exit code reported', async () => {
  const r = await runToEnd({ Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  const info = await api().call('GET', `/containers/${r.id}/json`);
  assert.equal(info.State.Status, 'exited');
  assert.equal(info.State.ExitCode, 3);
  assert.equal(info.State.Running, false);
  assert.notEqual(info.State.FinishedAt, '0001-01-01T00:00:00Z');
});

test('isolation seen from inside: pid 1, hostname, capabilities, seccomp, own mounts', async () => {
  const r = await runToEnd({
    Cmd: ['sh', '-c', 'echo pid=$$; hostname; grep -E "^(CapEff|Seccomp):" /proc/self/status; cat /proc/1/cmdline | tr "\\0" " "; echo; cat /proc/self/mounts'],
    Hostname: 'boxy',
  });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'pid=1');
  assert.equal(lines[1], 'boxy');
  assert.match(r.stdout, /CapEff:\s+00000000a80425fb/);
  assert.match(r.stdout, /Seccomp:\s+2/);
  // Its own mount table: an overlay root, and none of the host's own mount points (such as the
  // file system this test runs from) — counting lines would depend on how busy the host is.
  const mounts = r.stdout.split('\n').filter((l) => / (proc|sysfs|overlay|tmpfs|devpts|mqueue|cgroup2?|ext4|xfs|btrfs) /.test(l));
  assert.ok(mounts.some((l) => /^overlay \/ overlay /.test(l)), 'the root is the container overlay');
  const hostOnly = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => !!m && m !== '/' && !/^\/(proc|sys|dev)(\/|$)/.test(m));
  const inside = new Set(mounts.map((l) => l.split(' ')[1]));
  assert.deepEqual(hostOnly.filter((m) => inside.has(m) && !['/etc/hosts', '/etc/hostname', '/etc/resolv.conf'].includes(m)), []);
});

test('memory and pids limits land in the cgroup and a memory hog is OOM-killed', async () => {
  const id = await create({ Cmd: ['sleep', '60'], HostConfig: { Memory: 32 * 1024 * 1024, PidsLimit: 50 } });
  await api().call('POST', `/containers/${id}/start`);
  assert.equal(memoryLimitOf(id), String(32 * 1024 * 1024));
  assert.equal(pidsLimitOf(id), '50');
  await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } });

  const hog = await runToEnd({
    Cmd: ['sh', '-c', 'x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; while true; do x="$x$x"; done'],
    HostConfig: { Memory: 16 * 1024 * 1024, MemorySwap: 16 * 1024 * 1024 },
  });
  assert.equal(hog.code, 137);
  const info = await api().call('GET', `/containers/${hog.id}/json`);
  assert.equal(info.State.OOMKilled, true);
});

test('docker update changes a running container\'s cgroup limits live; stats and inspect follow', async () => {
  const id = await create({ Cmd: ['sleep', '60'], HostConfig: { Memory: 32 * 1024 * 1024, PidsLimit: 50 } });
  await api().call('POST', `/containers/${id}/start`);
  const up = await docker('update', '--memory', '96m', '--memory-swap', '192m', '--cpu-shares', '512', '--cpus', '0.5', '--pids-limit', '30', id);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(memoryLimitOf(id), String(96 * 1024 * 1024));
  assert.equal(pidsLimitOf(id), '30');
  // crun's v1→v2 conversion on a v2 host: shares 512 → weight 20; quota/period in one cpu.max.
  assert.equal(readContainerCgroup(id, 'cpu', { v1: 'cpu.shares', v2: 'cpu.weight' }), cgroupV2 ? '20' : '512');
  assert.equal(readContainerCgroup(id, 'cpu', { v1: 'cpu.cfs_quota_us', v2: 'cpu.max' }), cgroupV2 ? '50000 100000' : '50000');
  const s = await api().call('GET', `/containers/${id}/stats`, { query: { stream: '0' } });
  assert.equal(s.memory_stats.limit, 96 * 1024 * 1024);
  assert.equal(s.pids_stats.limit, 30);
  const info = await api().call('GET', `/containers/${id}/json`);
  assert.equal(info.HostConfig.Memory, 96 * 1024 * 1024);
  assert.equal(info.HostConfig.PidsLimit, 30);
  await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } });
});

test('a blkio weight runs where the host can weigh I/O and is discarded where it cannot, as dockerd does', async () => {
  // This host's blkio hierarchy has neither blkio.weight nor blkio.bfq.weight: crun used to refuse the container.
  const r = await runToEnd({ Cmd: ['echo', 'weighed'], HostConfig: { BlkioWeight: 300 } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'weighed\n');
});

test('a missing command is refused at start with Docker\'s wording and exit 127', async () => {
  const id = await create({ Cmd: ['/no/such/thing'] });
  await assert.rejects(api().call('POST', `/containers/${id}/start`), (e: ApiError) => {
    assert.equal(e.status, 400);
    assert.match(e.message, /executable file not found/);
    return true;
  });
  const info = await api().call('GET', `/containers/${id}/json`);
  assert.equal(info.State.ExitCode, 127);
});

test('stop sends the stop signal then SIGKILL after the timeout; start twice is 304', async () => {
  const id = await create({ Cmd: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] });
  await api().call('POST', `/containers/${id}/start`);
  const again = await api().request('POST', `/containers/${id}/start`);
  assert.equal(again.statusCode, 304);
  await readAll(again);
  const t0 = Date.now();
  await api().call('POST', `/containers/${id}/stop`, { query: { t: '1' } });
  assert.ok(Date.now() - t0 >= 900);
  const info = await api().call('GET', `/containers/${id}/json`);
  assert.equal(info.State.ExitCode, 137);
  const stopAgain = await api().request('POST', `/containers/${id}/stop`);
  assert.equal(stopAgain.statusCode, 304);
  await readAll(stopAgain);
});

test('name conflicts are 409, unknown containers 404, removing a running one 409', async () => {
  const name = `berth-test-name-${process.pid}`;
  const id = await create({ Cmd: ['sleep', '30'] }, name);
  await assert.rejects(create({ Cmd: ['true'] }, name), (e: ApiError) => e.status === 409 && /is already in use by container/.test(e.message));
  await assert.rejects(api().call('GET', '/containers/nope-nope/json'), (e: ApiError) => e.status === 404 && e.message === 'No such container: nope-nope');
  await api().call('POST', `/containers/${name}/start`);
  await assert.rejects(api().call('DELETE', `/containers/${id}`), (e: ApiError) => e.status === 409);
  await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } });
  await assert.rejects(api().call('GET', `/containers/${id}/json`), (e: ApiError) => e.status === 404);
});

test('wait before start, then exec with exit code, then pause/unpause', async () => {
  const id = await create({ Cmd: ['sleep', '60'] });
  const waited = api().call('POST', `/containers/${id}/wait`, { query: { condition: 'next-exit' } });
  await api().call('POST', `/containers/${id}/start`);
  const ex = await api().call('POST', `/containers/${id}/exec`, { body: { Cmd: ['sh', '-c', 'echo in-exec; exit 5'], AttachStdout: true, AttachStderr: true } });
  const res = await api().stream('POST', `/exec/${ex.Id}/start`, { body: { Detach: false, Tty: false } });
  const out = new FrameDecoder().push(await readAll(res)).map((f) => f.payload.toString()).join('');
  assert.equal(out, 'in-exec\n');
  const exInfo = await api().call('GET', `/exec/${ex.Id}/json`);
  assert.equal(exInfo.ExitCode, 5);
  assert.equal(exInfo.Running, false);
  await api().call('POST', `/containers/${id}/pause`);
  assert.equal((await api().call('GET', `/containers/${id}/json`)).State.Status, 'paused');
  await api().call('POST', `/containers/${id}/unpause`);
  await api().call('POST', `/containers/${id}/kill`);
  assert.equal((await waited).StatusCode, 137);
});

test('the real Docker CLI runs, lists, logs, execs, stops and removes', async () => {
  const name = `berth-dcli-${process.pid}`;
  const r = await docker('run', '--rm', BUSYBOX, 'echo', 'hello from docker cli');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello from docker cli\n');
  const d = await docker('run', '-d', '--name', name, BUSYBOX, 'sh', '-c', 'echo started; sleep 60');
  assert.equal(d.code, 0, d.stderr);
  created.push(d.stdout.trim());
  const ps = await docker('ps', '--format', '{{.Names}} {{.Status}}');
  assert.match(ps.stdout, new RegExp(`${name} Up`));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await docker('logs', name)).stdout, 'started\n');
  const e = await docker('exec', name, 'cat', '/etc/hostname');
  assert.equal(e.stdout.trim(), d.stdout.trim().slice(0, 12));
  assert.equal((await docker('exec', name, 'sh', '-c', 'exit 7')).code, 7);
  assert.equal((await docker('stop', '-t', '1', name)).code, 0);
  assert.equal((await docker('rm', name)).code, 0);
  const bad = await docker('run', '--rm', BUSYBOX, 'nosuchcommand');
  assert.equal(bad.code, 127);
});

test('live restore: containers keep running across a berthd kill -9 and later exits are recorded', async () => {
  const id = await create({ Cmd: ['sh', '-c', 'echo before; sleep 3; echo after; exit 4'] });
  await api().call('POST', `/containers/${id}/start`);
  const pidFile = TEST_PID_FILE;
  const oldPid = Number(readFileSync(pidFile, 'utf8'));
  process.kill(oldPid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 200));
  const child = spawn(process.execPath, [join(ROOT, 'dist/berthd.mjs'), '--config-file', TEST_CONFIG], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  child.unref();
  for (let i = 0; i < 100; i++) {
    const ok = await run('curl', ['-s', '--unix-socket', new URL(TEST_HOST).pathname, 'http://x/_ping']);
    if (ok.stdout === 'OK') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = await api().call('GET', `/containers/${id}/json`);
  assert.equal(info.State.Running, true, 'still running after the daemon came back');
  const { StatusCode } = await api().call('POST', `/containers/${id}/wait`);
  assert.equal(StatusCode, 4);
  const out = await logs(id);
  assert.equal(out.stdout, 'before\nafter\n');
});

test('stats report the cgroup\'s memory limit and usage; docker stats --no-stream reads them', async () => {
  const id = await create({ Cmd: ['sleep', '30'], HostConfig: { Memory: 64 * 1024 * 1024 } });
  await api().call('POST', `/containers/${id}/start`);
  const s = await api().call('GET', `/containers/${id}/stats`, { query: { stream: '0' } });
  assert.equal(s.memory_stats.limit, 64 * 1024 * 1024);
  assert.ok(s.memory_stats.usage > 0);
  assert.ok(s.cpu_stats.cpu_usage.total_usage > 0);
  assert.equal(s.pids_stats.current, 1);
  const cli = await docker('stats', '--no-stream', '--format', '{{.MemUsage}}', id);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /\/ 64MiB/);
  await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } });
});

test('health checks: a passing probe makes it healthy, a failing one unhealthy after the retries', async () => {
  const ok = await create({ Cmd: ['sleep', '30'], Healthcheck: { Test: ['CMD-SHELL', 'echo fine'], Interval: 300e6 } });
  const bad = await create({ Cmd: ['sleep', '30'], Healthcheck: { Test: ['CMD', 'false'], Interval: 300e6, Retries: 2 } });
  await api().call('POST', `/containers/${ok}/start`);
  await api().call('POST', `/containers/${bad}/start`);
  assert.equal((await api().call('GET', `/containers/${ok}/json`)).State.Health.Status, 'starting');
  const until = async (id: string, status: string) => {
    for (let i = 0; i < 50; i++) {
      const h = (await api().call('GET', `/containers/${id}/json`)).State.Health;
      if (h.Status === status) return h;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${id} never became ${status}`);
  };
  const healthy = await until(ok, 'healthy');
  assert.equal(healthy.Log.at(-1).Output, 'fine\n');
  const unhealthy = await until(bad, 'unhealthy');
  assert.ok(unhealthy.FailingStreak >= 2);
  const list = await api().call('GET', '/containers/json', { query: { filters: { health: ['unhealthy'] } } });
  assert.deepEqual(list.map((c: { Id: string }) => c.Id), [bad]);
  const ps = await docker('ps', '--filter', `id=${ok}`, '--format', '{{.Status}}');
  assert.match(ps.stdout, /\(healthy\)/);
});

test('runc runs containers too; create fills the default runtime and refuses unknown runtimes and log drivers', async () => {
  const r = await runToEnd({ Cmd: ['sh', '-c', 'grep ^Seccomp: /proc/self/status; exit 3'], HostConfig: { Runtime: 'runc' } });
  assert.equal(r.code, 3);
  assert.match(r.stdout, /Seccomp:\s+2/);
  assert.equal((await api().call('GET', `/containers/${r.id}/json`)).HostConfig.Runtime, 'runc');
  const plain = await create({ Cmd: ['true'] });
  assert.equal((await api().call('GET', `/containers/${plain}/json`)).HostConfig.Runtime, 'crun');
  await assert.rejects(create({ HostConfig: { Runtime: 'nope' } }), (e: ApiError) => e.status === 400 && e.message === 'Unknown runtime specified nope');
  await assert.rejects(
    create({ HostConfig: { LogConfig: { Type: 'asdf', Config: {} } } }),
    (e: ApiError) => e.status === 400 && e.message === "logger: no log driver named 'asdf' is registered",
  );
  const noType = await create({ HostConfig: { LogConfig: { Type: '', Config: { 'max-file': '100' } } } });
  assert.deepEqual((await api().call('GET', `/containers/${noType}/json`)).HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-file': '100' } });
});

test('kill returns once the container is down; a restarting container is not removed without force', async () => {
  const id = await create({ Cmd: ['sleep', '30'] });
  await api().call('POST', `/containers/${id}/start`);
  await api().call('POST', `/containers/${id}/kill`);
  const info = await api().call('GET', `/containers/${id}/json`);
  assert.equal(info.State.Running, false);
  assert.equal(info.State.ExitCode, 137);
  const always = await create({ Cmd: ['sh', '-c', 'exit 1'], HostConfig: { RestartPolicy: { Name: 'always' } } });
  await api().call('POST', `/containers/${always}/start`);
  await api().call('POST', `/containers/${always}/wait`);
  await assert.rejects(api().call('DELETE', `/containers/${always}`), (e: ApiError) => e.status === 409 && /stop the container before removing/.test(e.message));
  await api().call('DELETE', `/containers/${always}`, { query: { force: '1' } });
});

test('an output without a final newline is in the logs; exec of a missing command reports 127', async () => {
  const r = await runToEnd({ Cmd: ['sh', '-c', 'echo one; printf two'] });
  assert.equal(r.stdout, 'one\ntwo');
  const id = await create({ Cmd: ['sleep', '30'] });
  await api().call('POST', `/containers/${id}/start`);
  const { Id: execId } = await api().call('POST', `/containers/${id}/exec`, { body: { Cmd: ['no-such-binary'], AttachStdout: true, AttachStderr: true } });
  const res = await api().stream('POST', `/exec/${execId}/start`, { body: {} });
  const out = new FrameDecoder().push(await readAll(res)).map((f) => f.payload.toString()).join('');
  assert.match(out, /OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-binary": executable file not found in \$PATH/);
  assert.equal((await api().call('GET', `/exec/${execId}/json`)).ExitCode, 127);
});

test('exec stdin flows when the start body reaches the hijacked socket after the headers', async () => {
  const id = await create({ Cmd: ['sleep', '30'] });
  await api().call('POST', `/containers/${id}/start`);
  const { Id: execId } = await api().call('POST', `/containers/${id}/exec`, {
    body: { Cmd: ['sh', '-c', 'read x; echo "got $x"'], AttachStdin: true, AttachStdout: true, AttachStderr: true },
  });
  const body = JSON.stringify({ Detach: false, Tty: false });
  const sock = connect(TEST_SOCKET);
  await new Promise((r) => sock.once('connect', r));
  sock.write(
    `POST /v1.51/exec/${execId}/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  await new Promise((r) => setTimeout(r, 100)); // the body comes in a later packet, as from a busy client
  sock.write(body);
  let raw = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => (raw = Buffer.concat([raw, d])));
  for (let i = 0; i < 100 && !raw.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
  sock.write('hello\n');
  await new Promise((r) => sock.once('end', r));
  const frames = new FrameDecoder().push(raw.subarray(raw.indexOf('\r\n\r\n') + 4));
  assert.equal(frames.map((f) => f.payload.toString()).join(''), 'got hello\n');
});
