import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import type { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { isCompressed } from './build-context.js';

// The small archives and file checks the COPY, ADD and WORKDIR steps need.

/** A tar of `dir` and its parents, as directories owned by root (WORKDIR, a COPY destination). */
export function dirTar(dir: string): Readable {
  const parts = dir.split('/').filter(Boolean);
  const entries = parts.map((_, i) => ({ name: `${parts.slice(0, i + 1).join('/')}/`, mode: 0o755, type: 'directory' as const }));
  const pack = tar.pack();
  for (const e of entries) pack.entry({ ...e, uid: 0, gid: 0, mtime: new Date() });
  pack.finalize();
  return pack as unknown as Readable;
}

/** COPY --chmod: every copied entry (not the parents the tar names on the way) gets `mode`. */
export function withMode(src: Readable, mode: number, under: string): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const root = under.replace(/\/+$/, '');
  extract.on('entry', (h, stream, next) => {
    const name = h.name.replace(/\/+$/, '');
    if (root === '' || name === root || name.startsWith(`${root}/`)) h.mode = mode;
    stream.pipe(pack.entry(h, next));
  });
  extract.on('finish', () => pack.finalize());
  extract.on('error', (err) => pack.destroy(err));
  src.on('error', (err) => extract.destroy(err));
  src.pipe(extract as unknown as NodeJS.WritableStream);
  return pack as unknown as Readable;
}

/** ADD extracts a local file when its first block says archive: a compressor's magic bytes, or tar's "ustar" at offset 257. */
export function looksLikeArchive(path: string): boolean {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  if (isCompressed(head)) return true;
  return head.toString('latin1', 257, 262) === 'ustar';
}

/** Names, modes, sizes and contents of a tree: what a COPY's cache key is made of. */
export function hashTree(path: string, hash: ReturnType<typeof createHash>): void {
  const st = lstatSync(path);
  hash.update(`${basename(path)}:${st.mode}:${st.size}\n`);
  if (st.isDirectory()) for (const n of readdirSync(path).sort()) hashTree(join(path, n), hash);
  else if (st.isFile()) hash.update(readFileSync(path));
}
