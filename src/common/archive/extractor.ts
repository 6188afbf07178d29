import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { cleanEntryName } from './entry-name.js';
import type { ArchiveLimits } from './limits.js';
import { IS_ROOT, lstatOrNull, modeSticks, quotePath, renamed, run } from './extract-support.js';
import { xattrsOf } from './pax.js';
import { sparseInfo, sparseSink, type SparseInfo } from './sparse-file.js';
import type { TarEntrySink, TarHeader } from './tar-reader.js';

// The one place that writes tar entries to disk, for every archive berth reads (layers, load,
// import, PUT archive, build contexts, ADD). No entry may reach outside the destination:
// - names are cleaned as dockerd does (absolute names land inside, `..` that climbs out is refused);
// - nothing is ever written through a non-directory this extraction wrote (a planted symlink),
//   and every other parent is either created here, checked with lstat (fresh roots) or resolved
//   with its symlinks evaluated inside the root by the caller (existing trees, a container);
// - files are created with O_EXCL|O_NOFOLLOW after what was there is removed;
// - hard links only to non-directories inside the destination, resolved the same way;
// - device nodes only where the policy allows them; entry count and bytes bounded.

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Linux's PATH_MAX and NAME_MAX: longer names are malformed input, not an ENAMETOOLONG. */
const PATH_MAX = 4095;
const NAME_MAX = 255;


export interface ExtractPolicy {
  /** 'layer' or 'archive': how errors name what is extracted. */
  label: string;
  /** Overlay whiteouts (.wh.*) become 0/0 character devices and opaque xattrs (layer diffs). */
  whiteouts: boolean;
  /** Device nodes and fifos are created (layers, PUT archive, build contexts, as dockerd does) or skipped. */
  devices: boolean;
  /** SCHILY.xattr.* records are applied. */
  xattrs: boolean;
  /** Owners: the archive's, one for every entry (COPY --chown), or left as the extracting user's. */
  owner: 'archive' | 'keep' | { uid: number; gid: number };
  /** PUT archive's noOverwriteDirNonDir: refuse to replace a directory by a non-directory and back. */
  noOverwriteDirNonDir: boolean;
  limits: ArchiveLimits;
  /**
   * Existing trees (a container): the host path of the directory `rel` (relative to the
   * destination), every symlink of the tree evaluated inside its root. Without it, the
   * destination is an empty directory only this extraction writes (layers, scratch dirs).
   */
  resolveDir?: (rel: string) => string;
  /** An existing tree's own top directory takes the archive's owner, mode, time and xattrs (volume import). */
  rootMeta?: boolean;
  /** Renames the archive's top entry (docker cp to a new name). */
  rename?: { from: string; to: string };
  /** How errors show a destination path: the container directory extracted into. */
  destName?: string;
  /** Maps a write error to the caller's (e.g. EROFS to "read-only"). */
  mapError?: (err: unknown) => Error;
}

interface Meta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

interface SpecialNode extends Meta {
  host: string;
  kind: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  /** A hard link to this deferred node (by its relative path), made once the node is. */
  linkOf?: { rel: string; node: SpecialNode };
}


export class TarExtractor {
  /** Directories (relative) known to be real directories, created or checked by this extraction. */
  private readonly safeDirs = new Set<string>(['']);
  /**
   * Fresh roots: every path this extraction created. The root starts empty, so a path not in
   * here does not exist: no lstat is needed before creating it.
   */
  private readonly existing = new Set<string>(['']);
  /** Non-directories (files, symlinks, links, devices) this extraction wrote: never a parent. */
  private readonly nonDirs = new Set<string>();
  /** Directories with the setgid bit, whose new children would inherit their group. */
  private readonly setgidDirs = new Set<string>();
  private readonly specials = new Map<string, SpecialNode>();
  /** Directory mtimes, set last (children change them); one per directory however often it is named. */
  private readonly dirTimes = new Map<string, Date>();
  private readonly xattrs: { path: string; name: string; value: Buffer }[] = [];
  private entries = 0;
  private declared = 0;
  /** The file being written, if an extraction stops halfway through one. */
  private openFd: number | undefined;
  /** Bytes of regular-file content written. */
  size = 0;

  /** Without `policy.resolveDir`, `root` must be a directory this extraction just created, still empty. */
  constructor(
    private readonly root: string,
    private readonly policy: ExtractPolicy,
  ) {}

  private get fresh(): boolean {
    return !this.policy.resolveDir;
  }

  private fail(name: string, why: string): InvalidArgumentError {
    return new InvalidArgumentError(
      `invalid ${this.policy.label}: ${JSON.stringify(name.slice(0, 300))} ${why}`,
    );
  }

  /** Whether a new entry under `parent` already gets the owner it asks for. */
  private ownerSticks(parent: string, uid: number, gid: number): boolean {
    return this.fresh && IS_ROOT && uid === 0 && gid === 0 && !this.setgidDirs.has(parent);
  }

  private ownerOf(h: TarHeader): { uid: number; gid: number } | undefined {
    const o = this.policy.owner;
    if (o === 'keep') return undefined;
    return o === 'archive' ? { uid: h.uid, gid: h.gid } : o;
  }

  /**
   * Extracts one entry. For a regular file it returns where the content goes (the file is open
   * until the sink's `end`); every other entry is done when this returns.
   */
  entry(header: TarHeader): TarEntrySink | undefined {
    try {
      return this.entryUnmapped(header);
    } catch (err) {
      throw this.policy.mapError && !(err instanceof InvalidArgumentError) ? this.policy.mapError(err) : err;
    }
  }

  private entryUnmapped(header: TarHeader): TarEntrySink | undefined {
    const { limits } = this.policy;
    if (++this.entries > limits.entries)
      throw new InvalidArgumentError(`invalid ${this.policy.label}: more than ${limits.entries} entries`);
    const isFile = header.type === 'file' || header.type === 'contiguous-file';
    const sparse = isFile ? sparseInfo(header.pax) : undefined;
    if (isFile) {
      this.declared += Math.max(header.size, sparse?.realSize ?? 0);
      if (this.declared > limits.bytes)
        throw new InvalidArgumentError(
          `invalid ${this.policy.label}: its files hold more than ${limits.bytes} bytes`,
        );
    }
    const given = sparse?.name ?? header.name;
    const name = this.policy.rename ? renamed(given, this.policy.rename) : given;
    const rel = cleanEntryName(name);
    if (rel === null) throw this.fail(header.name, `is outside of the ${this.policy.label === 'layer' ? 'layer' : 'destination'}`);
    if (rel.length > PATH_MAX || rel.split('/').some((p) => Buffer.byteLength(p) > NAME_MAX))
      throw this.fail(header.name, 'is too long a name');
    // An existing tree's own top directory keeps its metadata (dockerd skips the entry).
    if (rel === '' && !this.fresh && !(this.policy.rootMeta && header.type === 'directory')) return undefined;
    const meta: Meta = { mode: header.mode & 0o7777, uid: header.uid, gid: header.gid, mtime: header.mtime };
    const slash = rel.lastIndexOf('/');
    const parent = slash === -1 ? '' : rel.slice(0, slash);
    const base = slash === -1 ? rel : rel.slice(slash + 1);

    if (this.policy.whiteouts && base.startsWith(WHITEOUT_PREFIX)) {
      const dir = this.dirOf(header.name, parent, true);
      if (base === WHITEOUT_OPAQUE) {
        this.xattrs.push({ path: dir, name: 'trusted.overlay.opaque', value: Buffer.from('y') });
      } else if (!base.startsWith(WHITEOUT_META_PREFIX)) {
        const target = parent
          ? `${parent}/${base.slice(WHITEOUT_PREFIX.length)}`
          : base.slice(WHITEOUT_PREFIX.length);
        const host = join(dir, base.slice(WHITEOUT_PREFIX.length));
        this.removeExisting(target, host);
        this.specials.set(target, {
          host,
          kind: 'c',
          major: 0,
          minor: 0,
          mode: 0o600,
          uid: meta.uid,
          gid: meta.gid,
          mtime: meta.mtime,
        });
        this.created(target, false);
      }
      return undefined;
    }

    const abs = rel === '' ? this.root : join(this.dirOf(header.name, parent, true), base);
    if (this.policy.xattrs) {
      for (const [xname, value] of xattrsOf(header.pax)) this.xattrs.push({ path: abs, name: xname, value });
    }
    const owner = this.ownerOf(header);
    const isDir = header.type === 'directory';
    if (rel !== '' && header.type !== 'unknown') this.checkOverwrite(header.name, rel, abs, isDir);

    switch (header.type) {
      case 'directory': {
        let fresh = false;
        if (rel !== '' && !this.safeDirs.has(rel)) {
          const st = this.fresh ? undefined : lstatOrNull(abs);
          if (st?.isDirectory()) this.safeDirs.add(rel);
          else {
            this.removeExisting(rel, abs);
            mkdirSync(abs, { mode: meta.mode & 0o777 });
            this.created(rel, true);
            fresh = true;
          }
        }
        if (owner && (!fresh || !this.ownerSticks(parent, owner.uid, owner.gid)))
          lchownSync(abs, owner.uid, owner.gid);
        if (!fresh || !this.fresh || !modeSticks(meta.mode) || this.setgidDirs.has(parent))
          chmodSync(abs, meta.mode);
        if (meta.mode & 0o2000) this.setgidDirs.add(rel);
        else this.setgidDirs.delete(rel);
        this.dirTimes.set(abs, meta.mtime);
        return undefined;
      }
      case 'file':
      case 'contiguous-file':
        this.removeExisting(rel, abs);
        this.created(rel, false);
        this.size += header.size;
        return this.openFile(
          abs,
          meta,
          owner && !this.ownerSticks(parent, owner.uid, owner.gid) ? owner : undefined,
          sparse && { ...sparse, name: given },
        );
      case 'symlink':
        this.removeExisting(rel, abs);
        symlinkSync(header.linkname ?? '', abs);
        this.created(rel, false);
        if (owner && !this.ownerSticks(parent, owner.uid, owner.gid)) lchownSync(abs, owner.uid, owner.gid);
        lutimesSync(abs, meta.mtime, meta.mtime);
        return undefined;
      case 'link': {
        const target = cleanEntryName(header.linkname ?? '');
        if (target === null || target === '')
          throw this.fail(
            header.name,
            `links to ${JSON.stringify(header.linkname)} outside of the ${this.policy.label}`,
          );
        const tslash = target.lastIndexOf('/');
        const tdir = this.dirOf(header.name, tslash === -1 ? '' : target.slice(0, tslash), false);
        const targetAbs = join(tdir, tslash === -1 ? target : target.slice(tslash + 1));
        const pending = this.specials.get(target);
        if (pending && target !== rel) {
          // A link to a device node or fifo not made yet: made as a link right after it.
          this.removeExisting(rel, abs);
          this.created(rel, false);
          this.specials.set(rel, { ...pending, host: abs, linkOf: { rel: target, node: pending } });
          return undefined;
        }
        const known = this.fresh
          ? this.existing.has(target) && !this.specials.has(target)
          : !this.specials.has(target);
        const st = known ? lstatOrNull(targetAbs) : undefined;
        if (!st)
          throw this.fail(header.name, `is a hard link to the missing ${JSON.stringify(header.linkname)}`);
        if (st.isDirectory()) throw this.fail(header.name, 'is a hard link to a directory');
        if (targetAbs === abs) return undefined;
        this.removeExisting(rel, abs);
        linkSync(targetAbs, abs);
        this.created(rel, false);
        return undefined;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        if (!this.policy.devices) return undefined;
        this.removeExisting(rel, abs);
        this.created(rel, false);
        this.specials.set(rel, {
          ...meta,
          ...(owner ?? { uid: -1, gid: -1 }),
          host: abs,
          kind: header.type === 'fifo' ? 'p' : header.type === 'block-device' ? 'b' : 'c',
          major: header.devmajor,
          minor: header.devminor,
        });
        return undefined;
      default:
        // Unknown entry kinds (sockets, GNU sparse and volume headers) carry nothing a rootfs needs.
        return undefined;
    }
  }

  /** Creates the deferred device nodes, whiteouts and xattrs, then fixes directory mtimes. */
  async finish(): Promise<void> {
    try {
      const links: SpecialNode[] = [];
      for (const n of this.specials.values()) {
        // Linked once every node is made; one whose node was replaced since is a node of its own.
        if (n.linkOf && this.specials.get(n.linkOf.rel) === n.linkOf.node) {
          links.push(n);
          continue;
        }
        const args = n.kind === 'p' ? [n.host, 'p'] : [n.host, n.kind, String(n.major), String(n.minor)];
        await run('mknod', ['-m', (n.mode & 0o777).toString(8), ...args]);
        if (n.uid >= 0) lchownSync(n.host, n.uid, n.gid);
        if (n.mode & 0o7000) chmodSync(n.host, n.mode);
        lutimesSync(n.host, n.mtime, n.mtime);
      }
      for (const n of links) linkSync(n.linkOf!.node.host, n.host);
      if (this.xattrs.length) {
        // One setfattr for all of them, fed a getfattr-style dump; -h never follows symlinks.
        const dump = this.xattrs
          .map((x) => `# file: ${quotePath(x.path)}\n${x.name}=0x${x.value.toString('hex')}\n`)
          .join('\n');
        await run('setfattr', ['-h', '--restore=-'], dump + '\n');
      }
      // Deepest (latest created) first, so setting a parent's time is the last change to it.
      for (const [path, mtime] of [...this.dirTimes].reverse()) lutimesSync(path, mtime, mtime);
    } catch (err) {
      throw this.policy.mapError ? this.policy.mapError(err) : err;
    }
  }

  /** Closes the file left open by an extraction that failed. */
  abort(): void {
    if (this.openFd === undefined) return;
    try {
      closeSync(this.openFd);
    } catch {
      // already closed
    }
    this.openFd = undefined;
  }

  private created(rel: string, isDir: boolean): void {
    if (this.fresh) this.existing.add(rel);
    if (isDir) {
      this.safeDirs.add(rel);
      this.nonDirs.delete(rel);
    } else this.nonDirs.add(rel);
  }

  /**
   * The host path of the directory `dir` (relative), refusing to pass through a non-directory
   * this extraction wrote; missing directories are created when `create` says so.
   */
  private dirOf(name: string, dir: string, create: boolean): string {
    if (this.safeDirs.has(dir) && this.fresh) return dir === '' ? this.root : join(this.root, dir);
    let idx = dir === '' ? -1 : 0;
    while (idx !== -1) {
      idx = dir.indexOf('/', idx + 1);
      const prefix = idx === -1 ? dir : dir.slice(0, idx);
      if (this.safeDirs.has(prefix)) continue;
      if (this.nonDirs.has(prefix) || (this.fresh && this.existing.has(prefix))) {
        // It exists and is not a directory: a file, a device or a (planted) symlink.
        const st = lstatOrNull(this.fresh ? join(this.root, prefix) : this.policy.resolveDir!(prefix));
        throw this.fail(
          name,
          `would be written through ${st?.isSymbolicLink() ? 'the symlink' : 'the non-directory'} ${JSON.stringify(prefix)}`,
        );
      }
      if (this.fresh) {
        if (!create) throw this.fail(name, `needs ${JSON.stringify(prefix)}, which does not exist`);
        mkdirSync(join(this.root, prefix), { mode: 0o755 });
        this.created(prefix, true);
      }
    }
    if (this.fresh) return dir === '' ? this.root : join(this.root, dir);
    const host = this.policy.resolveDir!(dir);
    const st = lstatOrNull(host);
    if (!st) {
      if (!create) throw this.fail(name, `needs ${JSON.stringify(dir)}, which does not exist`);
      try {
        mkdirSync(host, { recursive: true, mode: 0o755 });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR' || code === 'EEXIST')
          throw this.fail(name, `would be written through a non-directory in ${JSON.stringify(dir)}`);
        throw err;
      }
    } else if (!st.isDirectory())
      throw this.fail(name, `would be written through the non-directory ${JSON.stringify(dir)}`);
    return host;
  }

  /** PUT archive's rule: a directory is not replaced by a non-directory (nor back) when asked not to. */
  private checkOverwrite(name: string, rel: string, abs: string, isDir: boolean): void {
    if (!this.policy.noOverwriteDirNonDir) return;
    const st = this.fresh && !this.existing.has(rel) ? undefined : lstatOrNull(abs);
    if (!st) return;
    const shown = posix.join(this.policy.destName ?? '/', rel);
    if (st.isDirectory() && !isDir) throw new InvalidArgumentError(`cannot overwrite directory "${shown}" with non-directory "${name}"`);
    if (!st.isDirectory() && isDir) throw new InvalidArgumentError(`cannot overwrite non-directory "${shown}" with directory "${name}"`);
  }

  /** Removes whatever sits at `rel` (never following a symlink), forgetting what was under it. */
  private removeExisting(rel: string, abs: string): void {
    if (rel === '') return;
    if (this.fresh && !this.existing.has(rel)) return;
    if (!this.fresh && this.specials.has(rel)) this.specials.delete(rel);
    else if (!this.fresh && !lstatOrNull(abs)) return;
    const wasDir = this.safeDirs.has(rel) || !this.nonDirs.has(rel);
    rmSync(abs, { recursive: true, force: true });
    this.existing.delete(rel);
    this.specials.delete(rel);
    this.safeDirs.delete(rel);
    this.nonDirs.delete(rel);
    this.setgidDirs.delete(rel);
    if (wasDir) {
      const prefix = rel + '/';
      for (const set of [this.existing, this.safeDirs, this.nonDirs, this.setgidDirs]) {
        for (const p of set) if (p.startsWith(prefix)) set.delete(p);
      }
      for (const p of this.specials.keys()) if (p.startsWith(prefix)) this.specials.delete(p);
      this.dirTimes.delete(abs);
      for (const p of this.dirTimes.keys()) if (p.startsWith(abs + '/')) this.dirTimes.delete(p);
    }
  }

  private openFile(
    abs: string,
    meta: Meta,
    chown: { uid: number; gid: number } | undefined,
    sparse: SparseInfo | undefined,
  ): TarEntrySink {
    const sticks = this.fresh && modeSticks(meta.mode);
    const fd = openSync(abs, FILE_FLAGS, sticks ? meta.mode : 0o600);
    this.openFd = fd;
    const mapError = this.policy.mapError;
    const holes = sparse && sparseSink(fd, sparse, (why) => this.fail(sparse.name, why));
    return {
      write: (chunk: Buffer): void => {
        try {
          if (holes) return holes.write(chunk);
          let off = 0;
          while (off < chunk.length) off += writeSync(fd, chunk, off);
        } catch (err) {
          throw mapError && !(err instanceof InvalidArgumentError) ? mapError(err) : err;
        }
      },
      end: (): void => {
        holes?.end();
        // chown before chmod: chown clears setuid/setgid bits.
        if (chown) fchownSync(fd, chown.uid, chown.gid);
        if (!sticks) fchmodSync(fd, meta.mode);
        futimesSync(fd, meta.mtime, meta.mtime);
        this.openFd = undefined;
        closeSync(fd);
      },
    };
  }
}
