import { mkdirSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { lstatOrNull } from './extract-support.js';
import { entryError, type ExtractPolicy, type SpecialNode } from './extract-policy.js';

// What one extraction knows of the tree it writes: which paths it made, which are real
// directories and which are not (never a parent), so that no entry is written through a
// symlink or a file the archive itself planted, and what replacing a path must forget.

export class ExtractTree {
  /** Directories (relative) known to be real directories, created or checked by this extraction. */
  readonly safeDirs = new Set<string>(['']);
  /**
   * Fresh roots: every path this extraction created. The root starts empty, so a path not in
   * here does not exist: no lstat is needed before creating it.
   */
  readonly existing = new Set<string>(['']);
  /** Non-directories (files, symlinks, links, devices) this extraction wrote: never a parent. */
  readonly nonDirs = new Set<string>();
  /** Directories with the setgid bit, whose new children would inherit their group. */
  readonly setgidDirs = new Set<string>();
  readonly specials = new Map<string, SpecialNode>();
  /** Directory mtimes, set last (children change them); one per directory however often it is named. */
  readonly dirTimes = new Map<string, Date>();
  /** Without `policy.resolveDir`: `root` is a directory this extraction just created, still empty. */
  readonly fresh: boolean;

  constructor(
    readonly root: string,
    private readonly policy: ExtractPolicy,
  ) {
    this.fresh = !policy.resolveDir;
  }

  created(rel: string, isDir: boolean): void {
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
  dirOf(name: string, dir: string, create: boolean): string {
    if (this.safeDirs.has(dir) && this.fresh) return dir === '' ? this.root : join(this.root, dir);
    let idx = dir === '' ? -1 : 0;
    while (idx !== -1) {
      idx = dir.indexOf('/', idx + 1);
      const prefix = idx === -1 ? dir : dir.slice(0, idx);
      if (this.safeDirs.has(prefix)) continue;
      if (this.nonDirs.has(prefix) || (this.fresh && this.existing.has(prefix))) {
        // It exists and is not a directory: a file, a device or a (planted) symlink.
        const st = lstatOrNull(this.fresh ? join(this.root, prefix) : this.policy.resolveDir!(prefix));
        throw entryError(this.policy, name, `would be written through ${st?.isSymbolicLink() ? 'the symlink' : 'the non-directory'} ${JSON.stringify(prefix)}`);
      }
      if (this.fresh) {
        if (!create) throw entryError(this.policy, name, `needs ${JSON.stringify(prefix)}, which does not exist`);
        mkdirSync(join(this.root, prefix), { mode: 0o755 });
        this.created(prefix, true);
      }
    }
    if (this.fresh) return dir === '' ? this.root : join(this.root, dir);
    return this.existingDir(name, dir, create);
  }

  /** An existing tree's directory, resolved by the caller inside its root (made when missing). */
  private existingDir(name: string, dir: string, create: boolean): string {
    const host = this.policy.resolveDir!(dir);
    const st = lstatOrNull(host);
    if (!st) {
      if (!create) throw entryError(this.policy, name, `needs ${JSON.stringify(dir)}, which does not exist`);
      try {
        mkdirSync(host, { recursive: true, mode: 0o755 });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR' || code === 'EEXIST') throw entryError(this.policy, name, `would be written through a non-directory in ${JSON.stringify(dir)}`);
        throw err;
      }
    } else if (!st.isDirectory()) throw entryError(this.policy, name, `would be written through the non-directory ${JSON.stringify(dir)}`);
    return host;
  }

  /** PUT archive's rule: a directory is not replaced by a non-directory (nor back) when asked not to. */
  checkOverwrite(name: string, rel: string, abs: string, isDir: boolean): void {
    if (!this.policy.noOverwriteDirNonDir) return;
    const st = this.fresh && !this.existing.has(rel) ? undefined : lstatOrNull(abs);
    if (!st) return;
    const shown = posix.join(this.policy.destName ?? '/', rel);
    if (st.isDirectory() && !isDir) throw new InvalidArgumentError(`cannot overwrite directory "${shown}" with non-directory "${name}"`);
    if (!st.isDirectory() && isDir) throw new InvalidArgumentError(`cannot overwrite non-directory "${shown}" with directory "${name}"`);
  }

  /** Removes whatever sits at `rel` (never following a symlink), forgetting what was under it. */
  removeExisting(rel: string, abs: string): void {
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
    if (wasDir) this.forgetUnder(rel, abs);
  }

  private forgetUnder(rel: string, abs: string): void {
    const prefix = rel + '/';
    for (const set of [this.existing, this.safeDirs, this.nonDirs, this.setgidDirs]) {
      for (const p of set) if (p.startsWith(prefix)) set.delete(p);
    }
    for (const p of this.specials.keys()) if (p.startsWith(prefix)) this.specials.delete(p);
    this.dirTimes.delete(abs);
    for (const p of this.dirTimes.keys()) if (p.startsWith(abs + '/')) this.dirTimes.delete(p);
  }
}
