import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { MIRROR } from '../fixtures/registries.js';
import { ROOT, run } from '../helpers/daemon.js';
import { PrivateDaemon } from '../helpers/private-daemon.js';

// registry-mirrors as dockerd uses them, on a berthd of this test's own: the first mirror answers
// 500 to everything, the second is down, the third (the fixtures' pull-through mirror) serves.
// A Docker Hub reference falls through to the one that works, each fallback logged; `docker info`
// and `berth info` list the mirrors.

const BROKEN_PORT = 21120;
const DOWN_PORT = 21121;
const MIRRORS = [`http://127.0.0.1:${BROKEN_PORT}`, `http://127.0.0.1:${DOWN_PORT}`, `http://${MIRROR}`];
const daemon = new PrivateDaemon({ name: 'pmirror', bip: '10.239.0.1/24', config: { 'registry-mirrors': MIRRORS } });
let broken: Server;
const brokenHits: string[] = [];

const docker = (...args: string[]) => run('/usr/local/bin/docker', ['-H', daemon.host, ...args], { env: { DOCKER_CONFIG: '/tmp/berth-test-docker-config' } });
const berth = (...args: string[]) => run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', daemon.host, ...args]);

before(async () => {
  broken = createServer((req, res) => {
    brokenHits.push(req.url ?? '');
    res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
  });
  await new Promise<void>((resolve) => broken.listen(BROKEN_PORT, '127.0.0.1', () => resolve()));
  await daemon.remove();
  await daemon.start();
});

after(async () => {
  await daemon.remove();
  await new Promise((r) => broken.close(r));
});

test('a Hub pull falls back past a mirror answering 500 and one that is down, logging each; a container from it runs', async () => {
  const logAt = daemon.logSize();
  const pull = await docker('pull', 'busybox');
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /Status: Downloaded newer image for busybox:latest/);
  assert.ok(brokenHits.length > 0, 'the broken mirror was not asked');
  const log = daemon.logSince(logAt);
  const fallbacks = log
    .split('\n')
    .filter((l) => l.includes('Attempting next endpoint for pull after error'))
    .map((l) => (JSON.parse(l) as { mirror: string }).mirror);
  assert.deepEqual(fallbacks, [`http://127.0.0.1:${BROKEN_PORT}`, `http://127.0.0.1:${DOWN_PORT}`]);
  const r = await docker('run', '--rm', '--network', 'none', 'busybox', 'echo', 'via the mirror');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'via the mirror\n');
});

test('docker info and berth info list the mirrors as dockerd does', async () => {
  const expected = ` Registry Mirrors:\n${MIRRORS.map((m) => `  ${m}/\n`).join('')}`;
  const info = await docker('info');
  assert.equal(info.code, 0, info.stderr);
  assert.ok(info.stdout.includes(expected), info.stdout);
  const mine = await berth('info');
  assert.equal(mine.code, 0, mine.stderr);
  assert.ok(mine.stdout.includes(expected), mine.stdout);
  const json = await docker('info', '--format', '{{json .RegistryConfig.Mirrors}} {{json (index .RegistryConfig.IndexConfigs "docker.io").Mirrors}}');
  const list = JSON.stringify(MIRRORS.map((m) => `${m}/`));
  assert.equal(json.stdout, `${list} ${list}\n`);
});
