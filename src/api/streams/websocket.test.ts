import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptKey, decodeFrames, encodeFrame } from './websocket.js';

test('the handshake answer is the one of the RFC 6455 example', () => {
  assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('frames round-trip: masked client frames decode, partial frames wait for more bytes', () => {
  const mask = Buffer.from([1, 2, 3, 4]);
  const payload = Buffer.from('hello stdin');
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  const frame = Buffer.concat([Buffer.from([0x82, 0x80 | payload.length]), mask, masked]);
  const half = decodeFrames(frame.subarray(0, 5));
  assert.equal(half.frames.length, 0);
  const { frames, rest } = decodeFrames(Buffer.concat([frame, frame.subarray(0, 3)]));
  assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString()]), [[2, 'hello stdin']]);
  assert.equal(rest.length, 3);
  const big = encodeFrame(2, Buffer.alloc(70000, 7));
  assert.equal(big[1], 127);
  assert.equal(decodeFrames(big).frames[0]!.payload.length, 70000);
});
