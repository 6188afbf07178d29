import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TarReader, type TarHeader } from './tar-reader.js';
import { sizeBomb, tarHeader, tarOf } from '../../../test/fixtures/hostile-archives.js';

// The tar reader alone: any chunking, GNU base-256 sizes, signed checksums, bounded metadata.

function read(bytes: Buffer, chunk: number): { headers: TarHeader[]; bodies: string[] } {
  const headers: TarHeader[] = [];
  const bodies: string[] = [];
  const reader = new TarReader((h) => {
    headers.push(h);
    let body = '';
    return { write: (c) => (body += c.toString()), end: () => bodies.push(body) };
  });
  for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  reader.end();
  return { headers, bodies };
}

test('reads the same entries however the bytes are chunked', () => {
  const tar = tarOf([
    { name: 'a', body: 'x'.repeat(700) },
    { name: 'dir/', type: 'dir' },
    { name: 'l', type: 'symlink', linkname: 'a' },
    { name: 'p', body: 'pax', pax: { path: 'p'.repeat(300), 'SCHILY.xattr.user.k': 'v' } },
  ]);
  for (const chunk of [1, 7, 511, 512, 513, 4096, tar.length]) {
    const { headers, bodies } = read(tar, chunk);
    assert.deepEqual(
      headers.map((h) => [h.name, h.type]),
      [
        ['a', 'file'],
        ['dir/', 'directory'],
        ['l', 'symlink'],
        ['p'.repeat(300), 'file'],
      ],
      `chunk ${chunk}`,
    );
    assert.deepEqual(bodies, ['x'.repeat(700), '', '', 'pax']);
    assert.equal(headers[3]!.pax!['SCHILY.xattr.user.k'], 'v');
  }
});

test('GNU base-256 sizes; a truncated entry is an unexpected EOF', () => {
  const sizes: number[] = [];
  const reader = new TarReader((h) => {
    sizes.push(h.size);
    return undefined;
  });
  reader.push(sizeBomb(2 ** 40));
  assert.deepEqual(sizes, [2 ** 40 + 1]);
  assert.throws(() => reader.end(), /unexpected EOF/);
});

test('a signed-checksum header is accepted, a wrong checksum is not, metadata is bounded', () => {
  const h = tarHeader({ name: 'é' }, 0);
  // Recompute the checksum summing bytes as signed chars, as old tars did.
  h.fill(0x20, 148, 156);
  let signed = 0;
  for (const b of h) signed += b > 127 ? b - 256 : b;
  h.write(signed.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  assert.equal(read(Buffer.concat([h, Buffer.alloc(1024)]), 512).headers[0]!.name, 'é');
  h[0] = 0x61;
  assert.throws(() => read(Buffer.concat([h, Buffer.alloc(1024)]), 512), /checksum/);
  const pax = tarHeader({ name: 'x', type: 'pax' }, 2 << 20);
  assert.throws(() => new TarReader(() => undefined).push(pax), /larger than/);
});
