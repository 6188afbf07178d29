import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import { api, berth, docker, ROOT, run, TEST_CONFIG, TEST_DATA_ROOT, TEST_HOST, TEST_SOCKET } from '../helpers/daemon.js';
import { cgroupV2 } from '../helpers/cgroups.js';
import { systemdRunning } from '../../src/engine/runtime/cgroups/cgroup-manager.js';

test('the real Docker CLI shows berthd\'s version and real info', async () => {
  const v = await docker('version', '--format', '{{json .Server}}');
  assert.equal(v.code, 0, v.stderr);
  const server = JSON.parse(v.stdout);
  assert.equal(server.ApiVersion, '1.51');
  assert.equal(server.MinAPIVersion, '1.24');
  assert.equal(server.Os, 'linux');

  const i = await docker('info', '--format', '{{json .}}');
  assert.equal(i.code, 0, i.stderr);
  const info = JSON.parse(i.stdout);
  assert.equal(info.Driver, 'overlay2');
  // The host's truth: v1 here (hybrid), cgroupfs unless a v2 host booted by systemd.
  assert.equal(info.CgroupVersion, cgroupV2 ? '2' : '1');
  assert.equal(info.CgroupDriver, cgroupV2 && systemdRunning() ? 'systemd' : 'cgroupfs');
  const text = await docker('info');
  assert.match(text.stdout, new RegExp(`Cgroup Driver: ${info.CgroupDriver}\\n\\s*Cgroup Version: ${info.CgroupVersion}\\n`));
  assert.ok(info.NCPU >= 1);
  assert.ok(info.MemTotal > 0);
  assert.ok(info.Runtimes.crun);
  assert.equal(info.DockerRootDir, TEST_DATA_ROOT);
});

test('docker-py version() and ping() work', async () => {
  const py = `import docker\nc = docker.DockerClient(base_url='${TEST_HOST}')\nprint(c.ping())\nprint(c.version()['ApiVersion'])`;
  const r = await run('python3', ['-c', py]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['True', '1.51']);
});

test('dockerode version() works', async () => {
  const d = new Docker({ socketPath: TEST_SOCKET });
  const v = await d.version();
  assert.equal(v.ApiVersion, '1.51');
  assert.equal(v.Components?.[0]?.Name, 'Engine');
});

test('berth version and info talk to the daemon', async () => {
  const v = await berth('version');
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /Server: berth\n Engine:\n  Version: +0\.1\.0/);
  const f = await berth('info', '--format', '{{.Driver}}');
  assert.equal(f.stdout.trim(), 'overlay2');
});

test('berth reports an unreachable daemon the way docker does, exit 1', async () => {
  const r = await run(process.execPath, [join(ROOT, 'dist/berth.mjs'), '-H', 'unix:///tmp/no-such-berth.sock', 'info']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot connect to the berth daemon at unix:\/\/\/tmp\/no-such-berth.sock/);
});

test('a wrong API version gets Docker\'s message through the real CLI', async () => {
  const r = await run('/usr/local/bin/docker', ['-H', TEST_HOST, 'version'], { env: { DOCKER_API_VERSION: '1.12' } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /client version 1.12 is too old/);
  assert.equal((await api().call('GET', '/_ping')), 'OK');
});

test('a second berthd on the same exec-root refuses to start and the first stays up', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/berthd.mjs'), '--config-file', TEST_CONFIG], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /berthd is already running \(pid \d+\)/);
  const again = spawnSync('curl', ['-s', '--unix-socket', TEST_SOCKET, 'http://x/_ping'], { encoding: 'utf8' });
  assert.equal(again.stdout, 'OK');
});

test('docker system df reads /system/df', async () => {
  const r = await docker('system', 'df', '--format', '{{.Type}}');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['Images', 'Containers', 'Local Volumes', 'Build Cache']);
});
