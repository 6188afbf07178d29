import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { decompressContext, isCompressed } from './build-context.js';

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('bzip2, xz and zstd contexts come out as the tar they hold; others pass through untouched', async () => {
  const tar = Buffer.concat([Buffer.from('some tar bytes '), Buffer.alloc(2000, 7)]);
  for (const tool of ['bzip2', 'xz', 'zstd']) {
    const packed = spawnSync(tool, ['-c'], { input: tar }).stdout;
    assert.ok(isCompressed(packed), tool);
    // In small chunks, so the magic bytes are read across several of them.
    const chunks = Array.from({ length: Math.ceil(packed.length / 3) }, (_, i) => packed.subarray(i * 3, i * 3 + 3));
    assert.deepEqual(await collect(await decompressContext(Readable.from(chunks))), tar, tool);
  }
  assert.deepEqual(await collect(await decompressContext(Readable.from([tar]))), tar);
  assert.deepEqual(await collect(await decompressContext(Readable.from([]))), Buffer.alloc(0));
  await assert.rejects(collect(await decompressContext(Readable.from([Buffer.from('BZh9 not really bzip2')]))), /cannot decompress the build context \(bzip2\)/);
});
