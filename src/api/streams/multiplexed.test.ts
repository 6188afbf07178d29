import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, frame } from './multiplexed.js';

test('frames carry the stream id and a big-endian length', () => {
  const f = frame(2, Buffer.from('oops\n'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 5]);
  assert.equal(f.subarray(8).toString(), 'oops\n');
});

test('the decoder reassembles frames split at any byte', () => {
  const all = Buffer.concat([frame(1, Buffer.from('hello ')), frame(2, Buffer.from('err')), frame(1, Buffer.alloc(0))]);
  for (let cut = 0; cut <= all.length; cut++) {
    const d = new FrameDecoder();
    const got = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
    assert.deepEqual(
      got.map((g) => [g.stream, g.payload.toString()]),
      [
        [1, 'hello '],
        [2, 'err'],
        [1, ''],
      ],
    );
    assert.equal(d.leftover, 0);
  }
});
