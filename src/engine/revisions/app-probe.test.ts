import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { parseProbe, runProbe } from './app-probe.js';

test('probes are http://:PORT/PATH or tcp://:PORT', () => {
  assert.deepEqual(parseProbe('http://:8080/healthz'), { kind: 'http', port: 8080, path: '/healthz', text: 'http://:8080/healthz' });
  assert.deepEqual(parseProbe('tcp://:5432'), { kind: 'tcp', port: 5432, path: '/', text: 'tcp://:5432' });
  assert.throws(() => parseProbe('ftp://:21'), /invalid probe/);
  assert.throws(() => parseProbe('http://:99999/'), /invalid probe/);
});

test('an HTTP probe passes under status 400 and fails from it', async () => {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/ok' ? 204 : 503;
    res.end();
  });
  await new Promise<void>((r) => server.listen(21890, '127.0.0.1', r));
  try {
    await runProbe(parseProbe('http://:21890/ok'), '127.0.0.1');
    await assert.rejects(runProbe(parseProbe('http://:21890/bad'), '127.0.0.1'), /status 503/);
    await runProbe(parseProbe('tcp://:21890'), '127.0.0.1');
    await assert.rejects(runProbe(parseProbe('tcp://:21891'), '127.0.0.1'), /ECONNREFUSED/);
  } finally {
    server.close();
  }
});
