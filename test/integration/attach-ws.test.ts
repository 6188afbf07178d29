import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { after, test } from 'node:test';
import { decodeFrames } from '../../src/api/streams/websocket.js';
import { api, TEST_SOCKET } from '../helpers/daemon.js';

// The attach endpoint over a WebSocket (docker-py's attach_socket(ws=True)): stdin from client
// frames, the container's output back in binary frames.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const created: string[] = [];
after(async () => {
  for (const id of created) await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } }).catch(() => undefined);
});

function upgrade(path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: TEST_SOCKET,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    });
    req.on('upgrade', (res, socket) => (res.statusCode === 101 ? resolve(socket) : reject(new Error(`status ${res.statusCode}`))));
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

function clientFrame(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  return Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!))]);
}

test('attach/ws carries stdin in and output out as binary frames', async () => {
  const res = await api().stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
  res.resume();
  await new Promise((r) => res.on('end', r));
  const { Id } = await api().call('POST', '/containers/create', {
    body: { Image: BUSYBOX, Cmd: ['sh', '-c', 'read x; printf "got $x"'], OpenStdin: true, StdinOnce: true },
  });
  created.push(Id);
  const socket = await upgrade(`/v1.51/containers/${Id}/attach/ws?stdin=1&stdout=1&stream=1`);
  await api().call('POST', `/containers/${Id}/start`);
  socket.write(clientFrame(Buffer.from('hello\n')));
  let buf: Buffer = Buffer.alloc(0);
  const out: Buffer[] = [];
  await new Promise<void>((resolve) => {
    socket.on('data', (d: Buffer) => {
      const r = decodeFrames(Buffer.concat([buf, d]));
      buf = r.rest;
      for (const f of r.frames) {
        if (f.opcode === 0x2) out.push(f.payload);
        if (f.opcode === 0x8) resolve();
      }
    });
    socket.on('close', () => resolve());
  });
  assert.equal(Buffer.concat(out).toString(), 'got hello');
});
