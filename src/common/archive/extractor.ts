import { chmodSync, closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { cleanEntryName } from './entry-name.js';
import { IS_ROOT, lstatOrNull, modeSticks, quotePath, renamed, run } from './extract-support.js';
import { entryError, type ExtractPolicy, type Meta, type SpecialNode } from './extract-policy.js';
import { ExtractTree } from './extract-tree.js';
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
// The bookkeeping of what was written is extract-tree.ts; this file turns entries into writes.

export type { ExtractPolicy } from './extract-policy.js';

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Linux's PATH_MAX and NAME_MAX: longer names are malformed input, not an ENAMETOOLONG. */
const PATH_MAX = 4095;
const NAME_MAX = 255;

type Owner = { uid: number; gid: number };

/** One entry once its name is checked: where it goes and what it asks for. */
interface Placed {
  header: TarHeader;
  rel: string;
  parent: string;
  abs: string;
  meta: Meta;
  owner: Owner | undefined;
}

export class TarExtractor {
  private readonly tree: ExtractTree;
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
  ) {
    this.tree = new ExtractTree(root, policy);
  }

  private get fresh(): boolean {
    return this.tree.fresh;
  }

  private fail(name: string, why: string): InvalidArgumentError {
    return entryError(this.policy, name, why);
  }

  /** Whether a new entry under `parent` already gets the owner it asks for. */
  private ownerSticks(parent: string, uid: number, gid: number): boolean {
    return this.fresh && IS_ROOT && uid === 0 && gid === 0 && !this.tree.setgidDirs.has(parent);
  }

  private ownerOf(h: TarHeader): Owner | undefined {
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

  /** Counts the entry against the limits (entries, and bytes its files declare); a file's sparse map. */
  private count(header: TarHeader): SparseInfo | undefined {
    const { limits } = this.policy;
    if (++this.entries > limits.entries) throw new InvalidArgumentError(`invalid ${this.policy.label}: more than ${limits.entries} entries`);
    if (header.type !== 'file' && header.type !== 'contiguous-file') return undefined;
    const sparse = sparseInfo(header.pax);
    this.declared += Math.max(header.size, sparse?.realSize ?? 0);
    if (this.declared > limits.bytes) throw new InvalidArgumentError(`invalid ${this.policy.label}: its files hold more than ${limits.bytes} bytes`);
    return sparse;
  }

  /** The entry's cleaned relative name, refused when it climbs out or is too long. */
  private relName(header: TarHeader, given: string): string {
    const name = this.policy.rename ? renamed(given, this.policy.rename) : given;
    const rel = cleanEntryName(name);
    if (rel === null) throw this.fail(header.name, `is outside of the ${this.policy.label === 'layer' ? 'layer' : 'destination'}`);
    if (rel.length > PATH_MAX || rel.split('/').some((p) => Buffer.byteLength(p) > NAME_MAX)) throw this.fail(header.name, 'is too long a name');
    return rel;
  }

  private entryUnmapped(header: TarHeader): TarEntrySink | undefined {
    const sparse = this.count(header);
    const given = sparse?.name ?? header.name;
    const rel = this.relName(header, given);
    // An existing tree's own top directory keeps its metadata (dockerd skips the entry).
    if (rel === '' && !this.fresh && !(this.policy.rootMeta && header.type === 'directory')) return undefined;
    const meta: Meta = { mode: header.mode & 0o7777, uid: header.uid, gid: header.gid, mtime: header.mtime };
    const slash = rel.lastIndexOf('/');
    const parent = slash === -1 ? '' : rel.slice(0, slash);
    const base = slash === -1 ? rel : rel.slice(slash + 1);
    if (this.policy.whiteouts && base.startsWith(WHITEOUT_PREFIX)) {
      this.whiteout(header.name, parent, base, meta);
      return undefined;
    }
    const abs = rel === '' ? this.root : join(this.tree.dirOf(header.name, parent, true), base);
    if (this.policy.xattrs) {
      for (const [xname, value] of xattrsOf(header.pax)) this.xattrs.push({ path: abs, name: xname, value });
    }
    const e: Placed = { header, rel, parent, abs, meta, owner: this.ownerOf(header) };
    if (rel !== '' && header.type !== 'unknown') this.tree.checkOverwrite(header.name, rel, abs, header.type === 'directory');
    switch (header.type) {
      case 'directory':
        return this.directory(e);
      case 'file':
      case 'contiguous-file':
        this.tree.removeExisting(rel, abs);
        this.tree.created(rel, false);
        this.size += header.size;
        return this.openFile(abs, meta, this.chownNeeded(e), sparse && { ...sparse, name: given });
      case 'symlink':
        return this.symlink(e);
      case 'link':
        return this.hardLink(e);
      case 'character-device':
      case 'block-device':
      case 'fifo':
        return this.device(e);
      default:
        // Unknown entry kinds (sockets, GNU sparse and volume headers) carry nothing a rootfs needs.
        return undefined;
    }
  }

  /** The owner to set on a new entry, unless creating it already gave it that. */
  private chownNeeded(e: Placed): Owner | undefined {
    return e.owner && !this.ownerSticks(e.parent, e.owner.uid, e.owner.gid) ? e.owner : undefined;
  }

  /** `.wh.name` hides `name` of the layers below (a 0/0 character device); `.wh..wh..opq` makes its directory opaque. */
  private whiteout(name: string, parent: string, base: string, meta: Meta): void {
    const dir = this.tree.dirOf(name, parent, true);
    if (base === WHITEOUT_OPAQUE) {
      this.xattrs.push({ path: dir, name: 'trusted.overlay.opaque', value: Buffer.from('y') });
      return;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) return;
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    const target = parent ? `${parent}/${hidden}` : hidden;
    const host = join(dir, hidden);
    this.tree.removeExisting(target, host);
    this.tree.specials.set(target, { host, kind: 'c', major: 0, minor: 0, mode: 0o600, uid: meta.uid, gid: meta.gid, mtime: meta.mtime });
    this.tree.created(target, false);
  }

  private directory({ rel, parent, abs, meta, owner }: Placed): undefined {
    let made = false;
    if (rel !== '' && !this.tree.safeDirs.has(rel)) {
      const st = this.fresh ? undefined : lstatOrNull(abs);
      if (st?.isDirectory()) this.tree.safeDirs.add(rel);
      else {
        this.tree.removeExisting(rel, abs);
        mkdirSync(abs, { mode: meta.mode & 0o777 });
        this.tree.created(rel, true);
        made = true;
      }
    }
    if (owner && (!made || !this.ownerSticks(parent, owner.uid, owner.gid))) lchownSync(abs, owner.uid, owner.gid);
    if (!made || !this.fresh || !modeSticks(meta.mode) || this.tree.setgidDirs.has(parent)) chmodSync(abs, meta.mode);
    if (meta.mode & 0o2000) this.tree.setgidDirs.add(rel);
    else this.tree.setgidDirs.delete(rel);
    this.tree.dirTimes.set(abs, meta.mtime);
    return undefined;
  }

  private symlink(e: Placed): undefined {
    this.tree.removeExisting(e.rel, e.abs);
    symlinkSync(e.header.linkname ?? '', e.abs);
    this.tree.created(e.rel, false);
    const owner = this.chownNeeded(e);
    if (owner) lchownSync(e.abs, owner.uid, owner.gid);
    lutimesSync(e.abs, e.meta.mtime, e.meta.mtime);
    return undefined;
  }

  private hardLink({ header, rel, abs }: Placed): undefined {
    const target = cleanEntryName(header.linkname ?? '');
    if (target === null || target === '') throw this.fail(header.name, `links to ${JSON.stringify(header.linkname)} outside of the ${this.policy.label}`);
    const tslash = target.lastIndexOf('/');
    const tdir = this.tree.dirOf(header.name, tslash === -1 ? '' : target.slice(0, tslash), false);
    const targetAbs = join(tdir, tslash === -1 ? target : target.slice(tslash + 1));
    const { specials } = this.tree;
    const pending = specials.get(target);
    if (pending && target !== rel) {
      // A link to a device node or fifo not made yet: made as a link right after it.
      this.tree.removeExisting(rel, abs);
      this.tree.created(rel, false);
      specials.set(rel, { ...pending, host: abs, linkOf: { rel: target, node: pending } });
      return undefined;
    }
    const known = this.fresh ? this.tree.existing.has(target) && !specials.has(target) : !specials.has(target);
    const st = known ? lstatOrNull(targetAbs) : undefined;
    if (!st) throw this.fail(header.name, `is a hard link to the missing ${JSON.stringify(header.linkname)}`);
    if (st.isDirectory()) throw this.fail(header.name, 'is a hard link to a directory');
    if (targetAbs === abs) return undefined;
    this.tree.removeExisting(rel, abs);
    linkSync(targetAbs, abs);
    this.tree.created(rel, false);
    return undefined;
  }

  /** Device nodes and fifos are made at the end, with mknod. */
  private device({ header, rel, abs, meta, owner }: Placed): undefined {
    if (!this.policy.devices) return undefined;
    this.tree.removeExisting(rel, abs);
    this.tree.created(rel, false);
    this.tree.specials.set(rel, {
      ...meta,
      ...(owner ?? { uid: -1, gid: -1 }),
      host: abs,
      kind: header.type === 'fifo' ? 'p' : header.type === 'block-device' ? 'b' : 'c',
      major: header.devmajor,
      minor: header.devminor,
    });
    return undefined;
  }

  /** Creates the deferred device nodes, whiteouts and xattrs, then fixes directory mtimes. */
  async finish(): Promise<void> {
    try {
      await this.makeSpecials();
      if (this.xattrs.length) {
        // One setfattr for all of them, fed a getfattr-style dump; -h never follows symlinks.
        const dump = this.xattrs.map((x) => `# file: ${quotePath(x.path)}\n${x.name}=0x${x.value.toString('hex')}\n`).join('\n');
        await run('setfattr', ['-h', '--restore=-'], dump + '\n');
      }
      // Deepest (latest created) first, so setting a parent's time is the last change to it.
      for (const [path, mtime] of [...this.tree.dirTimes].reverse()) lutimesSync(path, mtime, mtime);
    } catch (err) {
      throw this.policy.mapError ? this.policy.mapError(err) : err;
    }
  }

  private async makeSpecials(): Promise<void> {
    const links: SpecialNode[] = [];
    for (const n of this.tree.specials.values()) {
      // Linked once every node is made; one whose node was replaced since is a node of its own.
      if (n.linkOf && this.tree.specials.get(n.linkOf.rel) === n.linkOf.node) {
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

  private openFile(abs: string, meta: Meta, chown: Owner | undefined, sparse: SparseInfo | undefined): TarEntrySink {
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
