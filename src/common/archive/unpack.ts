import { spawn } from 'node:child_process';
import {
  chmodSync,
  constants,
  createWriteStream,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { InvalidArgumentError, SystemError } from '../errors.js';
import { cleanEntryName } from './entry-name.js';

// Extracts a tar into a container (PUT /containers/{id}/archive). Every entry's parent is resolved
// with symlinks evaluated inside the container root, and the entry itself is never written through
// a symlink, so an archive cannot place a file outside of the container.

export interface UnpackTarget {
  /** Host path of a container path, every symlink followed inside the container's root. */
  resolve(containerPath: string): string;
}

export interface UnpackOptions {
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry instead of the archive's (Docker's copyUIDGID). */
  chown?: { uid: number; gid: number };
  /** Leave owners as the extracting user (the CLI copying out of a container). */
  noLchown?: boolean;
  /** Renames the archive's top entry (docker cp to a new name). */
  rename?: { from: string; to: string };
}

const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The body as a plain tar: gzip bodies (the API allows compressed archives) are inflated. */
async function decompressed(body: Readable): Promise<Readable> {
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  const out = new PassThrough();
  if (first.done) {
    out.end();
    return out;
  }
  const head = first.value as Buffer;
  const rest = async function* () {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value as Buffer;
    }
  };
  const src = Readable.from(rest());
  if (head[0] === 0x1f && head[1] === 0x8b) return src.pipe(createGunzip());
  return src;
}

function mknod(path: string, kind: 'c' | 'b' | 'p', major: number, minor: number): Promise<void> {
  const args = kind === 'p' ? [path, 'p'] : [path, kind, String(major), String(minor)];
  return new Promise((resolve, reject) => {
    const child = spawn('mknod', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new SystemError(`mknod ${path}: ${err.trim()}`))));
  });
}

function writeError(err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EROFS') return new InvalidArgumentError('container rootfs is marked read-only');
  return err as Error;
}

/** Extracts `body` under the container directory `dest` (already checked to be a directory). */
export async function unpackInto(target: UnpackTarget, dest: string, body: Readable, o: UnpackOptions): Promise<void> {
  const extract = tar.extract();
  const input = await decompressed(body);
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract as unknown as NodeJS.WritableStream);
  const dirTimes: { path: string; mtime: Date }[] = [];
  for await (const entry of extract) {
    const h = entry.header;
    let name = h.name;
    if (o.rename) {
      const top = o.rename.from === '.' ? '' : o.rename.from;
      const n = name.replace(/^\.\//, '');
      if (top === '') name = `${o.rename.to}/${n}`;
      else if (n === top || n === `${top}/`) name = o.rename.to + (n.endsWith('/') ? '/' : '');
      else if (n.startsWith(`${top}/`)) name = o.rename.to + n.slice(top.length);
    }
    const rel = cleanEntryName(name);
    if (rel === null) {
      entry.resume();
      throw new InvalidArgumentError(`invalid archive: ${JSON.stringify(h.name)} is outside of the destination`);
    }
    if (rel === '') {
      entry.resume();
      continue;
    }
    const ctrPath = posix.join(dest, rel);
    const parent = target.resolve(posix.dirname(ctrPath));
    try {
      mkdirSync(parent, { recursive: true, mode: 0o755 });
      const host = posix.join(parent, posix.basename(ctrPath));
      const existing = lstatSync(host, { throwIfNoEntry: false });
      const isDir = h.type === 'directory';
      if (existing) {
        if (existing.isDirectory() && !isDir) {
          if (o.noOverwriteDirNonDir) throw new InvalidArgumentError(`cannot overwrite directory "${ctrPath}" with non-directory "${h.name}"`);
          rmSync(host, { recursive: true, force: true });
        } else if (!existing.isDirectory() && isDir && o.noOverwriteDirNonDir) {
          throw new InvalidArgumentError(`cannot overwrite non-directory "${ctrPath}" with directory "${h.name}"`);
        } else if (!existing.isDirectory()) unlinkSync(host);
      }
      const mode = (h.mode ?? 0o644) & 0o7777;
      switch (h.type) {
        case 'directory':
          if (!lstatSync(host, { throwIfNoEntry: false })) mkdirSync(host, { mode });
          dirTimes.push({ path: host, mtime: h.mtime ?? new Date() });
          break;
        case 'file':
        case 'contiguous-file':
          await pipeline(entry, createWriteStream('', { fd: openSync(host, FILE_FLAGS, mode) }));
          break;
        case 'symlink':
          symlinkSync(h.linkname ?? '', host);
          break;
        case 'link': {
          const linkRel = cleanEntryName(h.linkname ?? '');
          if (linkRel === null) throw new InvalidArgumentError(`invalid hardlink ${JSON.stringify(h.linkname)}`);
          const linked = posix.join(dest, linkRel);
          linkSync(posix.join(target.resolve(posix.dirname(linked)), posix.basename(linked)), host);
          break;
        }
        case 'character-device':
        case 'block-device':
        case 'fifo':
          await mknod(host, h.type === 'fifo' ? 'p' : h.type === 'block-device' ? 'b' : 'c', h.devmajor ?? 0, h.devminor ?? 0);
          break;
        default:
          entry.resume();
          continue;
      }
      entry.resume();
      if (h.type === 'link') continue;
      if (!o.noLchown) lchownSync(host, o.chown?.uid ?? h.uid ?? 0, o.chown?.gid ?? h.gid ?? 0);
      if (h.type !== 'symlink') chmodSync(host, mode);
      if (h.type !== 'directory') lutimesSync(host, h.mtime ?? new Date(), h.mtime ?? new Date());
    } catch (err) {
      entry.resume();
      throw writeError(err);
    }
  }
  for (const d of dirTimes.reverse()) lutimesSync(d.path, d.mtime, d.mtime);
}
