import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
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
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { SystemError } from '../../common/errors.js';
import { xattrsOf } from './pax-binary.js';

// Writes the entries of one layer tar into a directory, as an overlayfs diff: whiteouts become
// 0/0 character devices, opaque markers the trusted.overlay.opaque xattr. No entry may reach
// outside the directory: `..` is refused, absolute names are taken as relative, and every parent
// is checked with lstat so a symlink planted earlier cannot be written through.

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

interface Meta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

interface SpecialNode extends Meta {
  path: string;
  kind: 'c' | 'b' | 'p';
  major: number;
  minor: number;
}

/** Resolves a tar entry name to a path relative to the layer root; null if it climbs out. */
export function cleanEntryName(name: string): string | null {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

function breakout(name: string, why: string): SystemError {
  return new SystemError(`invalid layer: ${JSON.stringify(name)} ${why}`);
}

function lstatOrNull(path: string): ReturnType<typeof lstatSync> | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/** Quotes a path for `setfattr --restore` (octal escapes, as getfattr writes them). */
function quotePath(p: string): string {
  let out = '';
  for (const byte of Buffer.from(p, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._/+@,~:-]/.test(ch) ? ch : '\\' + byte.toString(8).padStart(3, '0');
  }
  return out;
}

function run(cmd: string, args: string[], cwd: string, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new SystemError(`${cmd} ${args.join(' ')}: ${stderr.trim() || `exit ${code}`}`)),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

export class TarExtractor {
  /** Directories (relative) known to be real directories created or checked in this layer. */
  private readonly safeDirs = new Set<string>(['']);
  private readonly specials: SpecialNode[] = [];
  private readonly dirTimes: { path: string; mtime: Date }[] = [];
  private readonly xattrs: { path: string; name: string; value: Buffer }[] = [];
  /** Bytes of regular-file content written. */
  size = 0;

  constructor(private readonly root: string) {}

  /** Extracts one entry; `content` must be drained (it is, for every kind of entry). */
  async entry(header: Header, content: Readable): Promise<void> {
    const rel = cleanEntryName(header.name);
    if (rel === null) {
      content.resume();
      throw breakout(header.name, 'is outside of the layer');
    }
    const meta: Meta = {
      mode: (header.mode ?? 0o644) & 0o7777,
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
      mtime: header.mtime ?? new Date(0),
    };
    const slash = rel.lastIndexOf('/');
    const parent = slash === -1 ? '' : rel.slice(0, slash);
    const base = slash === -1 ? rel : rel.slice(slash + 1);

    if (base.startsWith(WHITEOUT_PREFIX)) {
      content.resume();
      this.ensureParents(header.name, rel, true);
      if (base === WHITEOUT_OPAQUE) {
        this.xattrs.push({ path: parent || '.', name: 'trusted.overlay.opaque', value: Buffer.from('y') });
      } else if (!base.startsWith(WHITEOUT_META_PREFIX)) {
        const target = parent ? `${parent}/${base.slice(WHITEOUT_PREFIX.length)}` : base.slice(WHITEOUT_PREFIX.length);
        this.removeExisting(target);
        this.specials.push({ path: target, kind: 'c', major: 0, minor: 0, mode: 0o600, uid: meta.uid, gid: meta.gid, mtime: meta.mtime });
      }
      return;
    }

    this.ensureParents(header.name, rel, true);
    const abs = join(this.root, rel);
    for (const [name, value] of xattrsOf(header.pax as Record<string, string> | undefined)) {
      this.xattrs.push({ path: rel || '.', name, value });
    }

    switch (header.type) {
      case 'directory': {
        if (rel !== '') {
          const st = lstatOrNull(abs);
          if (st && !st.isDirectory()) this.removeExisting(rel);
          if (!st || !st.isDirectory()) mkdirSync(abs, { mode: 0o700 });
          this.safeDirs.add(rel);
        }
        lchownSync(abs, meta.uid, meta.gid);
        chmodSync(abs, meta.mode);
        this.dirTimes.push({ path: abs, mtime: meta.mtime });
        content.resume();
        return;
      }
      case 'file':
      case 'contiguous-file':
      case null:
      case undefined:
        this.removeExisting(rel);
        await this.writeFile(abs, meta, content);
        this.size += header.size ?? 0;
        return;
      case 'symlink':
        content.resume();
        this.removeExisting(rel);
        symlinkSync(header.linkname ?? '', abs);
        lchownSync(abs, meta.uid, meta.gid);
        lutimesSync(abs, meta.mtime, meta.mtime);
        return;
      case 'link': {
        content.resume();
        const target = cleanEntryName(header.linkname ?? '');
        if (target === null || target === '') throw breakout(header.name, `links to ${JSON.stringify(header.linkname)} outside of the layer`);
        this.ensureParents(header.name, target, false);
        const st = lstatOrNull(join(this.root, target));
        if (!st) throw new SystemError(`invalid layer: hard link ${JSON.stringify(header.name)} to missing ${JSON.stringify(header.linkname)}`);
        if (st.isDirectory()) throw breakout(header.name, 'is a hard link to a directory');
        this.removeExisting(rel);
        linkSync(join(this.root, target), abs);
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        content.resume();
        this.removeExisting(rel);
        this.specials.push({
          ...meta,
          path: rel,
          kind: header.type === 'fifo' ? 'p' : header.type === 'block-device' ? 'b' : 'c',
          major: header.devmajor ?? 0,
          minor: header.devminor ?? 0,
        });
        return;
      default:
        // Unknown entry kinds (sockets, GNU extensions) carry nothing a rootfs needs.
        content.resume();
        return;
    }
  }

  /** Creates the deferred device nodes, whiteouts and xattrs, then fixes directory mtimes. */
  async finish(): Promise<void> {
    for (const n of this.specials) {
      const args = n.kind === 'p' ? [n.path, 'p'] : [n.path, n.kind, String(n.major), String(n.minor)];
      await run('mknod', ['-m', (n.mode & 0o777).toString(8), ...args], this.root);
      const abs = join(this.root, n.path);
      lchownSync(abs, n.uid, n.gid);
      if (n.mode & 0o7000) chmodSync(abs, n.mode);
      lutimesSync(abs, n.mtime, n.mtime);
    }
    if (this.xattrs.length) {
      // One setfattr for all of them, fed a getfattr-style dump; -h never follows symlinks.
      const dump = this.xattrs.map((x) => `# file: ${quotePath(x.path)}\n${x.name}=0x${x.value.toString('hex')}\n`).join('\n');
      await run('setfattr', ['-h', '--restore=-'], this.root, dump + '\n');
    }
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const d = this.dirTimes[i]!;
      lutimesSync(d.path, d.mtime, d.mtime);
    }
  }

  /** Makes sure every parent of `rel` is a real directory inside the root (creating missing ones if asked). */
  private ensureParents(name: string, rel: string, create: boolean): void {
    let idx = rel.indexOf('/');
    while (idx !== -1) {
      const dir = rel.slice(0, idx);
      if (!this.safeDirs.has(dir)) {
        const st = lstatOrNull(join(this.root, dir));
        if (!st) {
          if (!create) throw new SystemError(`invalid layer: ${JSON.stringify(name)}: ${JSON.stringify(dir)} does not exist`);
          mkdirSync(join(this.root, dir), { mode: 0o755 });
        } else if (!st.isDirectory()) {
          throw breakout(name, `would be written through ${st.isSymbolicLink() ? 'the symlink' : 'the non-directory'} ${JSON.stringify(dir)}`);
        }
        this.safeDirs.add(dir);
      }
      idx = rel.indexOf('/', idx + 1);
    }
  }

  /** Removes whatever sits at `rel` (never following a symlink), forgetting directories under it. */
  private removeExisting(rel: string): void {
    if (rel === '') return;
    const abs = join(this.root, rel);
    const st = lstatOrNull(abs);
    if (!st) return;
    rmSync(abs, { recursive: true, force: true });
    if (st.isDirectory()) {
      for (const d of this.safeDirs) if (d === rel || d.startsWith(rel + '/')) this.safeDirs.delete(d);
    }
  }

  private writeFile(abs: string, meta: Meta, content: Readable): Promise<void> {
    const fd = openSync(abs, FILE_FLAGS, 0o600);
    return new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
        reject(err);
      };
      content.on('data', (chunk: Buffer) => {
        if (failed) return;
        try {
          let off = 0;
          while (off < chunk.length) off += writeSync(fd, chunk, off);
        } catch (err) {
          fail(err);
        }
      });
      content.on('error', fail);
      content.on('end', () => {
        if (failed) return;
        try {
          // chown before chmod: chown clears setuid/setgid bits.
          fchownSync(fd, meta.uid, meta.gid);
          fchmodSync(fd, meta.mode);
          futimesSync(fd, meta.mtime, meta.mtime);
          closeSync(fd);
          resolve();
        } catch (err) {
          fail(err);
        }
      });
    });
  }
}
