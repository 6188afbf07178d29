import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demultiplex, FrameDecoder } from './demultiplex.js';
import { DetachKeyFilter, parseDetachKeys } from './detach-keys.js';

function frame(kind: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

test('frames split at every byte boundary are reassembled in order', () => {
  const wire = Buffer.concat([frame(1, 'out1\n'), frame(2, 'err1\n'), frame(1, ''), frame(1, 'x'.repeat(20000))]);
  const seen: string[] = [];
  const decoder = new FrameDecoder((kind, payload) => seen.push(`${kind}:${payload.length}`));
  for (const byte of wire) decoder.push(Buffer.from([byte]));
  assert.deepEqual(seen, ['stdout:5', 'stderr:5', 'stdout:0', 'stdout:20000']);
  assert.equal(decoder.leftover, 0);
});

test('demultiplex routes stdout and stderr and ends with the stream', async () => {
  const source = new PassThrough();
  const out = new Sink();
  const err = new Sink();
  const done = demultiplex(source, out, err);
  const wire = Buffer.concat([frame(1, 'hello '), frame(2, 'oops\n'), frame(1, 'world\n')]);
  source.write(wire.subarray(0, 11));
  source.end(wire.subarray(11));
  await done;
  assert.equal(out.text, 'hello world\n');
  assert.equal(err.text, 'oops\n');
});

test('a system-error frame becomes the error of the copy', async () => {
  const source = new PassThrough();
  const done = demultiplex(source, new Sink(), new Sink());
  source.end(Buffer.concat([frame(1, 'a'), frame(3, 'container exploded')]));
  await assert.rejects(done, /container exploded/);
});

test('an unknown stream byte is refused', () => {
  const decoder = new FrameDecoder(() => undefined);
  assert.throws(() => decoder.push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0])), /Unrecognized input header: 9/);
});

test('detach keys parse as docker reads them', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-a,x,ctrl-@,ctrl-['), [1, 0x78, 0, 27]);
  assert.throws(() => parseDetachKeys('ctrl-pp'), /Unknown character/);
});

test('the detach filter swallows the sequence and releases false starts', () => {
  let detached = 0;
  const f = new DetachKeyFilter([16, 17], () => detached++);
  assert.deepEqual([...f.filter(Buffer.from([65, 16]))], [65]);
  assert.deepEqual([...f.filter(Buffer.from([66]))], [16, 66]);
  assert.equal(detached, 0);
  assert.deepEqual([...f.filter(Buffer.from([67, 16, 17, 68]))], [67]);
  assert.equal(detached, 1);
});
