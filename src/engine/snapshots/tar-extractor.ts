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
  readFileSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { SystemError } from '../../common/errors.js';
import { xattrsOf } from './pax-binary.js';
import { cleanEntryName } from '../../common/archive/entry-name.js';

// Writes the entries of one layer tar into a directory, as an overlayfs diff: whiteouts become
// 0/0 character devices, opaque markers the trusted.overlay.opaque xattr. No entry may reach
// outside the directory: `..` is refused, absolute names are taken as relative, and every parent
// is checked with lstat so a symlink planted earlier cannot be written through.

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The process umask, read without process.umask()'s deprecated getter form. */
const UMASK = (() => {
  const m = /^Umask:\s*([0-7]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? parseInt(m[1]!, 8) : 0o022;
})();
const IS_ROOT = process.getuid?.() === 0 && process.getgid?.() === 0;

/** Whether creating with `mode` already gives `mode`, so no chmod is needed. */
function modeSticks(mode: number): boolean {
  return (mode & 0o7000) === 0 && (mode & UMASK) === 0;
}

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
  /**
   * Every path this extraction created. The root starts empty, so a path not in here does not
   * exist: no lstat is needed before creating it, which halves the system calls per entry.
   */
  private readonly existing = new Set<string>(['']);
  /** Directories with the setgid bit, whose new children would inherit their group. */
  private readonly setgidDirs = new Set<string>();
  private readonly specials = new Map<string, SpecialNode>();
  private readonly dirTimes: { path: string; mtime: Date }[] = [];
  private readonly xattrs: { path: string; name: string; value: Buffer }[] = [];
  /** Bytes of regular-file content written. */
  size = 0;

  /** `root` must be a directory this extraction just created, still empty. */
  constructor(private readonly root: string) {}

  /** Whether a new entry under `parent` already gets the owner it asks for. */
  private ownerSticks(parent: string, uid: number, gid: number): boolean {
    return IS_ROOT && uid === 0 && gid === 0 && !this.setgidDirs.has(parent);
  }

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
        this.specials.set(target, { path: target, kind: 'c', major: 0, minor: 0, mode: 0o600, uid: meta.uid, gid: meta.gid, mtime: meta.mtime });
        this.existing.add(target);
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
        let fresh = false;
        if (rel !== '' && !this.safeDirs.has(rel)) {
          this.removeExisting(rel);
          mkdirSync(abs, { mode: meta.mode & 0o777 });
          this.safeDirs.add(rel);
          this.existing.add(rel);
          fresh = true;
        }
        if (!fresh || !this.ownerSticks(parent, meta.uid, meta.gid)) lchownSync(abs, meta.uid, meta.gid);
        if (!fresh || !modeSticks(meta.mode) || this.setgidDirs.has(parent)) chmodSync(abs, meta.mode);
        if (meta.mode & 0o2000) this.setgidDirs.add(rel);
        else this.setgidDirs.delete(rel);
        this.dirTimes.push({ path: abs, mtime: meta.mtime });
        content.resume();
        return;
      }
      case 'file':
      case 'contiguous-file':
      case null:
      case undefined:
        this.removeExisting(rel);
        await this.writeFile(abs, meta, content, this.ownerSticks(parent, meta.uid, meta.gid));
        this.existing.add(rel);
        this.size += header.size ?? 0;
        return;
      case 'symlink':
        content.resume();
        this.removeExisting(rel);
        symlinkSync(header.linkname ?? '', abs);
        this.existing.add(rel);
        if (!this.ownerSticks(parent, meta.uid, meta.gid)) lchownSync(abs, meta.uid, meta.gid);
        lutimesSync(abs, meta.mtime, meta.mtime);
        return;
      case 'link': {
        content.resume();
        const target = cleanEntryName(header.linkname ?? '');
        if (target === null || target === '') throw breakout(header.name, `links to ${JSON.stringify(header.linkname)} outside of the layer`);
        this.ensureParents(header.name, target, false);
        const st = this.existing.has(target) && !this.specials.has(target) ? lstatOrNull(join(this.root, target)) : undefined;
        if (!st) throw new SystemError(`invalid layer: hard link ${JSON.stringify(header.name)} to missing ${JSON.stringify(header.linkname)}`);
        if (st.isDirectory()) throw breakout(header.name, 'is a hard link to a directory');
        this.removeExisting(rel);
        linkSync(join(this.root, target), abs);
        this.existing.add(rel);
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        content.resume();
        this.removeExisting(rel);
        this.existing.add(rel);
        this.specials.set(rel, {
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
    for (const n of this.specials.values()) {
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
        if (this.existing.has(dir)) {
          // It exists and is not a directory we made: a file, a device or a (planted) symlink.
          const st = lstatOrNull(join(this.root, dir));
          throw breakout(name, `would be written through ${st?.isSymbolicLink() ? 'the symlink' : 'the non-directory'} ${JSON.stringify(dir)}`);
        }
        if (!create) throw new SystemError(`invalid layer: ${JSON.stringify(name)}: ${JSON.stringify(dir)} does not exist`);
        mkdirSync(join(this.root, dir), { mode: 0o755 });
        this.safeDirs.add(dir);
        this.existing.add(dir);
      }
      idx = rel.indexOf('/', idx + 1);
    }
  }

  /** Removes whatever sits at `rel` (never following a symlink), forgetting directories under it. */
  private removeExisting(rel: string): void {
    if (rel === '' || !this.existing.has(rel)) return;
    const wasDir = this.safeDirs.has(rel);
    rmSync(join(this.root, rel), { recursive: true, force: true });
    this.existing.delete(rel);
    this.specials.delete(rel);
    this.safeDirs.delete(rel);
    this.setgidDirs.delete(rel);
    if (wasDir) {
      const prefix = rel + '/';
      for (const set of [this.existing, this.safeDirs, this.setgidDirs]) {
        for (const p of set) if (p.startsWith(prefix)) set.delete(p);
      }
      for (const p of this.specials.keys()) if (p.startsWith(prefix)) this.specials.delete(p);
    }
  }

  private writeFile(abs: string, meta: Meta, content: Readable, ownerSticks: boolean): Promise<void> {
    const sticks = modeSticks(meta.mode);
    const fd = openSync(abs, FILE_FLAGS, sticks ? meta.mode : 0o600);
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
          if (!ownerSticks) fchownSync(fd, meta.uid, meta.gid);
          if (!sticks) fchmodSync(fd, meta.mode);
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
