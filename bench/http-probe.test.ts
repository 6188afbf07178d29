import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pingSocket, rawGetStatus, SocketHttp, waitForHttp200 } from './http-probe.js';

function listen(server: Server, where: string | number): Promise<void> {
  return new Promise((r) => (typeof where === 'number' ? server.listen(where, '127.0.0.1', r) : server.listen(where, r)));
}

test('raw GET sees the status, waitForHttp200 waits until the server answers 200', async () => {
  let calls = 0;
  const server = createServer((_req, res) => {
    calls++;
    res.writeHead(calls < 3 ? 503 : 200).end('ok');
  });
  await listen(server, 0);
  const port = (server.address() as { port: number }).port;
  try {
    assert.equal(await rawGetStatus('127.0.0.1', port), 503);
    const secs = await waitForHttp200('127.0.0.1', port, process.hrtime.bigint(), 5000);
    assert.ok(secs >= 0);
    assert.equal(calls, 3);
  } finally {
    server.close();
  }
  assert.equal(await rawGetStatus('127.0.0.1', port), 0, 'closed port gives 0');
});

test('version round trips and ping over a unix socket', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const sock = join(dir, 'd.sock');
  const server = createServer((req, res) => res.writeHead(200).end(req.url === '/_ping' ? 'OK' : '{"Version":"x"}'));
  await listen(server, sock);
  try {
    assert.equal(await pingSocket(sock), true);
    for (const keepAlive of [true, false]) {
      const http = new SocketHttp(sock, keepAlive);
      assert.ok((await http.roundTrip('/version')) > 0);
      assert.ok((await http.roundTrip('/version')) > 0);
      http.close();
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(await pingSocket(sock), false);
});
