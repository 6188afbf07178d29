import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  ftruncateSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../common/errors.js';
import { memberHash } from './member-digest.js';
import { readTar, type TarEntryHeader } from './tar-reader.js';
import { makeNode, writeXattrs } from './xattr-dump.js';

// Extracts a tar written by tree-pack (or GNU tar --format=posix) into a directory, keeping
// owners, modes, times, hard links, symlinks, sparse files, device nodes and xattrs. Nothing may
// land outside `root`: absolute names and `..` are refused, every parent component is checked
// with lstat (a symlink in the way is an error, never followed), hard links must point inside.
// File system calls are synchronous: short each, and a thread-pool round trip apiece would
// make a tree of small files several times slower to extract.

export interface ExtractOptions {
  /** Create device nodes (else they are skipped, as for an unprivileged import). */
  devices?: boolean;
  /** Filled with the sha256 of every member (see member-digest), by entry name. */
  digests?: Map<string, string>;
}

const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function refuse(name: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`archive entry ${JSON.stringify(name)} ${why}`);
}

/** The entry's path relative to the root ('' for the root itself), or an error for unsafe names. */
export function safeRelative(name: string): string {
  if (name.startsWith('/')) throw refuse(name, 'has an absolute name');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw refuse(name, 'leaves the archive root with ".."');
  return parts.join('/');
}


function lstatOrNull(p: string): Stats | undefined {
  return lstatSync(p, { throwIfNoEntry: false });
}

async function drain(stream: AsyncIterable<Buffer>, hash?: { update(b: Buffer): unknown }): Promise<void> {
  for await (const b of stream) hash?.update(b);
}

/** Reads a GNU sparse 1.0 map from the head of the entry's data: [offset, length] pairs and what followed it. */
async function readSparseMap(it: AsyncIterator<Buffer>, hash: { update(b: Buffer): unknown } | undefined, name: string): Promise<{ regions: [number, number][]; rest: Buffer }> {
  let buf = Buffer.alloc(0);
  const numbers: number[] = [];
  let consumed = 0;
  let count = -1;
  for (;;) {
    while (count < 0 || numbers.length < count * 2) {
      const nl = buf.indexOf(10, consumed);
      if (nl === -1) break;
      const n = Number(buf.subarray(consumed, nl).toString('latin1'));
      if (!Number.isSafeInteger(n) || n < 0) throw refuse(name, 'has a corrupt sparse map');
      consumed = nl + 1;
      if (count < 0) count = n;
      else numbers.push(n);
    }
    if (count >= 0 && numbers.length === count * 2) break;
    const next = await it.next();
    if (next.done) throw refuse(name, 'has a truncated sparse map');
    hash?.update(next.value);
    buf = Buffer.concat([buf, next.value]);
  }
  const mapEnd = Math.ceil(consumed / 512) * 512;
  while (buf.length < mapEnd) {
    const next = await it.next();
    if (next.done) throw refuse(name, 'has a truncated sparse map');
    hash?.update(next.value);
    buf = Buffer.concat([buf, next.value]);
  }
  const regions: [number, number][] = [];
  for (let i = 0; i < numbers.length; i += 2) regions.push([numbers[i]!, numbers[i + 1]!]);
  return { regions, rest: buf.subarray(mapEnd) };
}

class Extraction {
  /** Directories (relative) checked to be real directories, not symlinks. */
  private readonly dirs = new Set<string>(['']);
  private readonly xattrs: { path: string; name: string; value: Buffer }[] = [];
  private readonly nodes: { path: string; kind: 'c' | 'b' | 'p'; mode: number; uid: number; gid: number; major: number; minor: number; mtime: Date }[] = [];
  private readonly dirTimes: { path: string; mode: number; mtime: Date }[] = [];

  constructor(
    private readonly root: string,
    private readonly o: ExtractOptions,
  ) {}

  /** Makes every parent of `rel` a checked real directory inside root (creating missing ones if asked). */
  private parents(name: string, rel: string, create: boolean): void {
    const parts = rel.split('/');
    let dir = '';
    for (let i = 0; i < parts.length - 1; i++) {
      dir = dir ? `${dir}/${parts[i]}` : parts[i]!;
      if (this.dirs.has(dir)) continue;
      const st = lstatOrNull(join(this.root, dir));
      if (!st) {
        if (!create) throw refuse(name, `needs ${JSON.stringify(dir)}, which does not exist`);
        mkdirSync(join(this.root, dir), { mode: 0o755 });
      } else if (!st.isDirectory()) {
        throw refuse(name, `would be written through the ${st.isSymbolicLink() ? 'symlink' : 'non-directory'} ${JSON.stringify(dir)}`);
      }
      this.dirs.add(dir);
    }
  }

  /** Clears the way for a new entry at `rel` (a directory stays when a directory comes). */
  private clear(rel: string, keepDir: boolean): boolean {
    if (rel === '') return true;
    const abs = join(this.root, rel);
    const st = lstatOrNull(abs);
    if (!st) return false;
    if (keepDir && st.isDirectory()) return true;
    rmSync(abs, { recursive: true, force: true });
    const prefix = rel + '/';
    this.dirs.delete(rel);
    for (const d of this.dirs) if (d.startsWith(prefix)) this.dirs.delete(d);
    return false;
  }

  async entry(header: TarEntryHeader, stream: AsyncGenerator<Buffer>): Promise<void> {
    const pax = header.pax;
    const sparseName = pax.get('GNU.sparse.major')?.toString() === '1' ? pax.get('GNU.sparse.name')?.toString('utf8') : undefined;
    const sparse = sparseName !== undefined;
    const name = sparseName ?? header.name;
    const rel = safeRelative(name);
    const { uid, gid, mode, mtime } = header;
    const mtimeSec = header.mtimeSeconds;
    const paxPairs: [string, Buffer][] = [...pax];
    const hash = this.o.digests
      ? memberHash({
          name: header.name,
          type: header.type,
          mode,
          uid,
          gid,
          mtime: mtimeSec,
          linkname: header.linkname,
          devmajor: header.type === 'character-device' || header.type === 'block-device' ? header.devmajor : 0,
          devminor: header.type === 'character-device' || header.type === 'block-device' ? header.devminor : 0,
          pax: paxPairs,
        })
      : undefined;
    const abs = rel ? join(this.root, rel) : this.root;
    if (rel) this.parents(name, rel, true);
    for (const [k, v] of paxPairs) if (k.startsWith('SCHILY.xattr.')) this.xattrs.push({ path: rel, name: k.slice(13), value: v });

    switch (header.type) {
      case 'directory': {
        const existed = this.clear(rel, true);
        if (!existed) mkdirSync(abs, { mode: 0o700 });
        this.dirs.add(rel);
        lchownSync(abs, uid, gid);
        chmodSync(abs, mode);
        this.dirTimes.push({ path: rel, mode, mtime });
        await drain(stream, hash);
        break;
      }
      case 'file':
      case 'contiguous-file': {
        this.clear(rel, false);
        const fd = openSync(abs, FILE_FLAGS, 0o600);
        try {
          if (sparse) await this.writeSparse(fd, stream, hash, name, Number(pax.get('GNU.sparse.realsize')?.toString() ?? 0));
          else {
            for await (const b of stream) {
              hash?.update(b);
              let off = 0;
              while (off < b.length) off += writeSync(fd, b, off);
            }
          }
          // chown before chmod: chown clears setuid and setgid.
          fchownSync(fd, uid, gid);
          fchmodSync(fd, mode);
          futimesSync(fd, mtime, mtime);
        } finally {
          closeSync(fd);
        }
        break;
      }
      case 'symlink':
        await drain(stream, hash);
        this.clear(rel, false);
        symlinkSync(header.linkname, abs);
        lchownSync(abs, uid, gid);
        lutimesSync(abs, mtime, mtime);
        break;
      case 'link': {
        await drain(stream, hash);
        const target = safeRelative(header.linkname);
        if (!target) throw refuse(name, 'is a hard link to the root');
        this.parents(name, target, false);
        const st = lstatOrNull(join(this.root, target));
        if (!st) throw refuse(name, `is a hard link to ${JSON.stringify(header.linkname)}, which is not in the archive before it`);
        if (st.isDirectory()) throw refuse(name, 'is a hard link to a directory');
        this.clear(rel, false);
        linkSync(join(this.root, target), abs);
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await drain(stream, hash);
        if (header.type !== 'fifo' && !this.o.devices) break;
        this.clear(rel, false);
        this.nodes.push({
          path: rel,
          kind: header.type === 'fifo' ? 'p' : header.type === 'block-device' ? 'b' : 'c',
          mode,
          uid,
          gid,
          major: header.devmajor ?? 0,
          minor: header.devminor ?? 0,
          mtime,
        });
        // Made now so a later entry cannot take its place unnoticed; owners and times follow.
        await this.makeNodes();
        break;
      default:
        await drain(stream, hash);
        return;
    }
    if (hash) this.o.digests!.set(name, hash.digest('hex'));
  }

  private async writeSparse(fd: number, stream: AsyncGenerator<Buffer>, hash: { update(b: Buffer): unknown } | undefined, name: string, realSize: number): Promise<void> {
    const it = stream;
    const { regions, rest } = await readSparseMap(it, hash, name);
    let pending = rest;
    for (const [offset, length] of regions) {
      let written = 0;
      while (written < length) {
        if (!pending.length) {
          const next = await it.next();
          if (next.done) throw refuse(name, 'is shorter than its sparse map');
          hash?.update(next.value);
          pending = next.value;
        }
        const n = Math.min(pending.length, length - written);
        let off = 0;
        while (off < n) off += writeSync(fd, pending, off, n - off, offset + written + off);
        pending = pending.subarray(n);
        written += n;
      }
    }
    for (;;) {
      const next = await it.next();
      if (next.done) break;
      hash?.update(next.value);
    }
    ftruncateSync(fd, realSize);
  }

  private async makeNodes(): Promise<void> {
    for (const n of this.nodes.splice(0)) {
      await makeNode(this.root, n.path, n.kind, n.mode, n.major, n.minor);
      const abs = join(this.root, n.path);
      lchownSync(abs, n.uid, n.gid);
      chmodSync(abs, n.mode);
      lutimesSync(abs, n.mtime, n.mtime);
    }
  }

  /** Whether every parent of `rel` is still a real directory (later entries may have replaced one). */
  private parentsIntact(rel: string): boolean {
    const parts = rel.split('/');
    let dir = '';
    for (let i = 0; i < parts.length - 1; i++) {
      dir = dir ? `${dir}/${parts[i]}` : parts[i]!;
      const st = lstatOrNull(join(this.root, dir));
      if (!st || !st.isDirectory()) return false;
    }
    return true;
  }

  /** Sets xattrs, then directory times (children changed them), deepest first. */
  async finish(): Promise<void> {
    const ok: typeof this.xattrs = [];
    for (const x of this.xattrs) if (this.parentsIntact(x.path)) ok.push(x);
    await writeXattrs(this.root, ok);
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const d = this.dirTimes[i]!;
      if (!this.parentsIntact(d.path)) continue;
      const abs = d.path ? join(this.root, d.path) : this.root;
      const st = lstatOrNull(abs);
      if (st?.isDirectory()) lutimesSync(abs, d.mtime, d.mtime);
    }
  }
}

/**
 * Extracts `tarStream` into the existing directory `root`. Entries replace what is there; a
 * directory entry over an existing directory keeps its contents.
 */
export async function extractTo(root: string, tarStream: Readable, o: ExtractOptions = {}): Promise<void> {
  const ours = new Extraction(root, o);
  try {
    for await (const entry of readTar(tarStream)) await ours.entry(entry.header, entry.body);
  } catch (err) {
    tarStream.destroy();
    throw err;
  }
  await ours.finish();
}
