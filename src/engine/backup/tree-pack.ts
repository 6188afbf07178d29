import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { memberHash } from './member-digest.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader } from './tar-header.js';
import { SLAB, SlabPool } from './slab-pool.js';
import { readTreeXattrs } from './xattr-dump.js';
import { entryTypeOf } from '../../common/archive/pack.js';

// Writes a directory tree as PAX tar entries with everything a restore needs: numeric owners,
// modes, mtimes, hard links, symlinks, device nodes, fifos, xattrs (capabilities, ACLs) and sparse
// files (GNU sparse format 1.0, which GNU tar also reads). Sockets are skipped, as tar does.
// File system calls are synchronous: each is short, output is handed on every 256 KiB (so the
// event loop still turns), and a thread-pool round trip per call would halve the throughput.

export interface PackTreeOptions {
  /** Entry names go under this prefix ("volumes/data"); without one they start with "./". */
  prefix?: string;
  /** Filled with the sha256 of every member written, by entry name. */
  digests?: Map<string, string>;
  /** Where output slabs come from; the consumer hands each back once written (see slab-pool.ts). */
  slabs?: SlabPool;
}

const CHUNK = 1 << 20;
const HOLE_BLOCK = 4096;
const ZERO_BLOCK = Buffer.alloc(HOLE_BLOCK);

function major(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}
function minor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}


/** The data regions of a sparse file (offset, length), found by reading: Node has no SEEK_DATA. */
function dataRegions(fd: number, size: number): [number, number][] {
  const regions: [number, number][] = [];
  const buf = Buffer.alloc(CHUNK);
  let pos = 0;
  while (pos < size) {
    const bytesRead = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
    if (bytesRead === 0) break;
    for (let off = 0; off < bytesRead; off += HOLE_BLOCK) {
      const len = Math.min(HOLE_BLOCK, bytesRead - off);
      const block = buf.subarray(off, off + len);
      if (len === HOLE_BLOCK ? block.equals(ZERO_BLOCK) : block.equals(ZERO_BLOCK.subarray(0, len))) continue;
      const start = pos + off;
      const last = regions[regions.length - 1];
      if (last && last[0] + last[1] === start) last[1] += len;
      else regions.push([start, len]);
    }
    pos += bytesRead;
  }
  // GNU tar's maps end with an empty region at the real size when the file ends in a hole.
  const last = regions[regions.length - 1];
  if (!last || last[0] + last[1] < size) regions.push([size, 0]);
  return regions;
}

/** The tar entries of the tree at `root` (no end-of-archive marker), as buffers. */
export async function* packTree(root: string, o: PackTreeOptions = {}): AsyncGenerator<Buffer> {
  const xattrs = await readTreeXattrs(root);
  const links = new Map<string, string>();
  const nameOf = (rel: string, dir: boolean): string => {
    const base = o.prefix ? (rel ? `${o.prefix}/${rel}` : o.prefix) : rel ? `./${rel}` : '.';
    return dir ? `${base}/` : base;
  };
  // Output goes into 1 MiB slabs, file contents read straight into them: no buffer per file and
  // no copy to join them (per-file buffers cost more in garbage collection than the reads did).
  const pool = o.slabs ?? new SlabPool();
  let slab = pool.take();
  let used = 0;
  const take = (): Buffer => {
    const b = slab.subarray(0, used);
    slab = pool.take();
    used = 0;
    return b;
  };
  /** Copies a header or padding in. */
  function* put(b: Buffer): Generator<Buffer> {
    let off = 0;
    while (off < b.length) {
      const n = b.copy(slab, used, off);
      used += n;
      off += n;
      if (used === SLAB) yield take();
    }
  }
  /** Reads [offset, offset+length) of a file in, zero-filling what a shrinking file no longer has. */
  function* readIn(fd: number, offset: number, length: number, hash: Hash | undefined): Generator<Buffer> {
    let done = 0;
    while (done < length) {
      const want = Math.min(SLAB - used, length - done);
      let n = readSync(fd, slab, used, want, offset + done);
      if (n === 0) {
        slab.fill(0, used, used + want);
        n = want;
      }
      hash?.update(slab.subarray(used, used + n));
      used += n;
      done += n;
      if (used === SLAB) yield take();
    }
  }

  const stack: string[] = [''];
  while (stack.length) {
    const rel = stack.pop()!;
    const abs = rel ? join(root, rel) : root;
    let st: Stats;
    try {
      st = lstatSync(abs);
    } catch (err) {
      // Deleted between readdir and lstat (a live backup): nothing to keep.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const type = entryTypeOf(st);
    if (!type) continue;
    const pax = new Map<string, string | Buffer>();
    for (const [k, v] of xattrs.get(rel) ?? []) pax.set(`SCHILY.xattr.${k}`, v);
    const frac = Math.round(st.mtimeMs % 1000);
    if (frac) pax.set('mtime', `${Math.floor(st.mtimeMs / 1000)}.${String(frac).padStart(3, '0')}`);
    const header: TarHeader = {
      name: nameOf(rel, type === 'directory'),
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: 0,
      mtime: Math.floor(st.mtimeMs / 1000),
      pax,
    };
    const linkKey = `${st.dev}:${st.ino}`;
    if (type !== 'directory' && st.nlink > 1) {
      const first = links.get(linkKey);
      if (first !== undefined) {
        header.type = 'link';
        header.linkname = first;
      } else {
        links.set(linkKey, header.name);
      }
    }
    if (header.type === 'symlink') header.linkname = readlinkSync(abs);
    if (header.type === 'character-device' || header.type === 'block-device') {
      header.devmajor = major(st.rdev);
      header.devminor = minor(st.rdev);
    }

    const hash = o.digests
      ? memberHash({
          name: header.name,
          type: header.type,
          mode: header.mode,
          uid: header.uid,
          gid: header.gid,
          mtime: header.mtime,
          linkname: header.linkname ?? '',
          devmajor: header.devmajor ?? 0,
          devminor: header.devminor ?? 0,
          pax: [...pax].map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'utf8') : v]),
        })
      : undefined;

    if (header.type === 'file') {
      let fd: number;
      try {
        fd = openSync(abs, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      try {
        const size = st.size;
        const sparse = size > 0 && st.blocks * 512 < size;
        if (sparse) {
          const regions = dataRegions(fd, size);
          const map = Buffer.from([String(regions.length), ...regions.flatMap(([a, b]) => [String(a), String(b)])].join('\n') + '\n');
          const mapBlock = Buffer.concat([map, padding(map.length)]);
          const dataLen = regions.reduce((n, [, l]) => n + l, 0);
          const slash = header.name.lastIndexOf('/');
          const realName = header.name;
          header.name = `${header.name.slice(0, slash + 1)}GNUSparseFile.0/${header.name.slice(slash + 1)}`;
          pax.set('GNU.sparse.major', '1');
          pax.set('GNU.sparse.minor', '0');
          pax.set('GNU.sparse.name', realName);
          pax.set('GNU.sparse.realsize', String(size));
          header.size = mapBlock.length + dataLen;
          // The digest names the member by its real name; the sparse records are in it too.
          const sparseHash = o.digests
            ? memberHash({
                name: header.name,
                type: 'file',
                mode: header.mode,
                uid: header.uid,
                gid: header.gid,
                mtime: header.mtime,
                linkname: '',
                devmajor: 0,
                devminor: 0,
                pax: [...pax].map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'utf8') : v]),
              })
            : undefined;
          yield* put(encodeHeader(header));
          sparseHash?.update(mapBlock);
          yield* put(mapBlock);
          for (const [off, len] of regions) yield* readIn(fd, off, len, sparseHash);
          yield* put(padding(header.size));
          if (sparseHash) o.digests!.set(realName, sparseHash.digest('hex'));
          continue;
        }
        header.size = size;
        yield* put(encodeHeader(header));
        yield* readIn(fd, 0, size, hash);
        yield* put(padding(size));
      } finally {
        closeSync(fd);
      }
    } else {
      yield* put(encodeHeader(header));
    }
    if (hash) o.digests!.set(header.name, hash.digest('hex'));

    if (type === 'directory') {
      let names: string[];
      try {
        names = readdirSync(abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        names = [];
      }
      names.sort();
      // Reversed onto the stack, so entries come out in name order.
      for (let i = names.length - 1; i >= 0; i--) stack.push(rel ? `${rel}/${names[i]}` : names[i]!);
    }
  }
  if (used) yield take();
}

/** A complete tar stream of the tree at `root`. */
export function treeTarStream(root: string, o: PackTreeOptions = {}): Readable {
  return Readable.from(
    (async function* () {
      yield* packTree(root, o);
      yield END_OF_ARCHIVE;
    })(),
    { objectMode: false },
  );
}

