import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, berth, run, TEST_HOST } from '../helpers/daemon.js';

// Images through the real Docker CLI and the berth CLI against berthd and the fixture registries.

const config = mkdtempSync(join(tmpdir(), 'berth-images-cli-'));
const docker = (...args: string[]) => run('/usr/local/bin/docker', ['-H', TEST_HOST, ...args], { env: { DOCKER_CONFIG: config } });
const SCHEMA2 = '127.0.0.1:5000/library/busybox:schema2';

after(() => rmSync(config, { recursive: true, force: true }));

test('docker pull, images, image inspect, tag and rmi', async () => {
  const pull = await docker('pull', SCHEMA2);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /schema2: Pulling from library\/busybox/);
  assert.match(pull.stdout, /Status: (Downloaded newer image|Image is up to date) for 127\.0\.0\.1:5000\/library\/busybox:schema2/);
  const images = await docker('images', '--format', '{{.Repository}}:{{.Tag}}');
  assert.match(images.stdout, /^127\.0\.0\.1:5000\/library\/busybox:schema2$/m);
  const inspect = await docker('image', 'inspect', SCHEMA2);
  const [img] = JSON.parse(inspect.stdout);
  assert.match(img.Id, /^sha256:[0-9a-f]{64}$/);
  assert.ok(img.RepoDigests.some((d: string) => d.startsWith('127.0.0.1:5000/library/busybox@sha256:')));
  assert.equal(img.Os, 'linux');
  assert.equal((await docker('tag', SCHEMA2, 'berth-test/retag:v1')).code, 0);
  const rmi = await docker('rmi', 'berth-test/retag:v1');
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.match(rmi.stdout, /^Untagged: berth-test\/retag:v1$/m);
});

test('rmi of an image a container uses is a conflict unless forced', async () => {
  await docker('tag', SCHEMA2, 'berth-test/inuse:v1');
  const c = await docker('create', 'berth-test/inuse:v1', 'true');
  assert.equal(c.code, 0, c.stderr);
  const id = (await docker('image', 'inspect', '--format', '{{.Id}}', 'berth-test/inuse:v1')).stdout.trim();
  const rmi = await docker('rmi', id);
  assert.notEqual(rmi.code, 0);
  assert.match(rmi.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\)/);
  await docker('rm', c.stdout.trim());
  assert.equal((await docker('rmi', 'berth-test/inuse:v1')).code, 0);
});

// (Mirrors stand in for Docker Hub only, as in dockerd: this pull talks to 5001 itself, with the
// credentials of the login.)
test('login with wrong credentials is refused; with the right ones a private pull works', async () => {
  const bad = await docker('login', '-u', 'testuser', '-p', 'wrong', '127.0.0.1:5001');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unauthorized|incorrect username or password/i);
  const good = await docker('login', '-u', 'testuser', '-p', 'testpassword', '127.0.0.1:5001');
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /Login Succeeded/);
  const pull = await docker('pull', '127.0.0.1:5001/library/busybox:latest');
  assert.equal(pull.code, 0, pull.stderr);
  await docker('rmi', '127.0.0.1:5001/library/busybox:latest');
  await docker('logout', '127.0.0.1:5001');
});

test('berth pull -q and images -q, unknown image and bad reference get Docker\'s errors', async () => {
  const pull = await berth('pull', '-q', '127.0.0.1:5000/library/busybox:latest');
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(pull.stdout.trim(), '127.0.0.1:5000/library/busybox:latest');
  const ids = await berth('images', '-q');
  assert.match(ids.stdout, /^[0-9a-f]{12}$/m);
  const missing = await berth('pull', '127.0.0.1:5000/library/nope:latest');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /not found|does not exist/);
  const bad = await api().request('POST', '/images/create', { query: { fromImage: 'Bad:Name' } });
  assert.equal(bad.statusCode, 400);
  bad.resume();
});
