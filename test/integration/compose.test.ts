import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, TEST_HOST } from '../helpers/daemon.js';

// docker-compose (Debian's v1, a real API client on docker-py) brings a two-service project up on
// berthd: a user network with DNS between services, a published port, a named volume.

test('docker-compose up/ps/logs/down with a network, a port and a volume', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-compose-'));
  const env = { DOCKER_HOST: TEST_HOST, COMPOSE_PROJECT_NAME: `berthc${process.pid}` };
  const compose = (...args: string[]) => run('docker-compose', ['-f', join(dir, 'docker-compose.yml'), ...args], { env, timeoutMs: 120_000 });
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    `version: "3"
services:
  web:
    image: 127.0.0.1:5000/library/nginx:latest
    ports: ["18380:80"]
  client:
    image: 127.0.0.1:5000/library/busybox:latest
    command: sh -c "until printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc web 80 | head -1; do sleep 0.2; done; echo ok > /data/done; sleep 60"
    depends_on: [web]
    volumes: [data:/data]
volumes:
  data:
`,
  );
  try {
    const up = await compose('up', '-d');
    assert.equal(up.code, 0, up.stderr);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('200 OK'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      logs = (await compose('logs', 'client')).stdout;
    }
    assert.match(logs, /HTTP\/1.1 200 OK/, 'client reached web by its service name');
    const ps = await compose('ps');
    assert.match(ps.stdout, /0\.0\.0\.0:18380->80\/tcp/);
    const page = await run('curl', ['-s', 'http://127.0.0.1:18380/']);
    assert.match(page.stdout, /Welcome to nginx!/);
  } finally {
    const down = await compose('down', '-v', '-t', '1');
    rmSync(dir, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  }
});
