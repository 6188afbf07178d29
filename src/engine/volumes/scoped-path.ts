import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';

// Docker's FollowSymlinkInScope: resolve a path inside a container root with every symlink
// evaluated as the container would see it (absolute targets start again at the root, `..` stops at
// the root), so nothing the container planted can lead a daemon write outside of it.

const MAX_LINKS = 255;

/**
 * The host path of `path` (container view) under `root`. The last component that does not exist
 * yet is kept as written; a symlink there is followed too.
 */
export function followSymlinkInScope(root: string, path: string): string {
  const base = posix.normalize(root).replace(/\/+$/, '') || '/';
  const resolved: string[] = [];
  const pending = posix.normalize('/' + path).split('/').filter(Boolean);
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = base + '/' + [...resolved, part].join('/');
    const st = lstatSync(candidate, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new InvalidArgumentError(`evalSymlinksInScope: too many links in ${candidate}`);
      const target = readlinkSync(candidate);
      if (posix.isAbsolute(target)) resolved.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    resolved.push(part);
  }
  return resolved.length ? `${base === '/' ? '' : base}/${resolved.join('/')}` : base;
}

/** Whether `p` is `root` or below it, lexically. */
export function isWithin(root: string, p: string): boolean {
  const r = posix.normalize(root).replace(/\/+$/, '');
  const n = posix.normalize(p);
  return n === r || n.startsWith(r + '/');
}
