import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

// `docker diff`: what a container's writable layer changed against its image, walked from the
// overlay upper directory as Docker's overlay driver does (whiteouts are deletions).

export const CHANGE_MODIFIED = 0;
export const CHANGE_ADDED = 1;
export const CHANGE_DELETED = 2;

export interface Change {
  Path: string;
  Kind: 0 | 1 | 2;
}

/** Files the runtime makes in every container (Docker keeps them in its init layer, out of diff). */
const INIT_PATHS = new Set(['/dev', '/dev/pts', '/dev/shm', '/dev/console', '/proc', '/sys', '/.dockerenv', '/etc/resolv.conf', '/etc/hosts', '/etc/hostname', '/etc/mtab', '/sbin/docker-init']);

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

function sameDir(a: Stats, b: Stats): boolean {
  return a.size === b.size && a.mode === b.mode && Math.floor(a.mtimeMs / 1000) === Math.floor(b.mtimeMs / 1000);
}

/** Changes in `upper` against `lowers` (the image's layer directories, any order). */
export function containerChanges(upper: string, lowers: string[]): Change[] {
  const changes: Change[] = [];
  const changedDirs = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = `${prefix}/${name}`;
      const abs = join(dir, name);
      const st = lstatSync(abs);
      if (INIT_PATHS.has(path)) continue;
      let kind: Change['Kind'] | undefined;
      if (isWhiteout(st)) kind = CHANGE_DELETED;
      else {
        kind = CHANGE_ADDED;
        for (const layer of lowers) {
          const lst = statSync(join(layer, path), { throwIfNoEntry: false });
          if (!lst || isWhiteout(lst)) continue;
          // A directory that is only there as the parent of a change is not a change itself.
          kind = lst.isDirectory() && st.isDirectory() && sameDir(st, lst) ? undefined : CHANGE_MODIFIED;
          break;
        }
      }
      if (kind !== undefined) {
        if (st.isDirectory()) changedDirs.add(path);
        changes.push({ Path: path, Kind: kind });
        if (kind !== CHANGE_MODIFIED && prefix !== '' && !changedDirs.has(prefix)) {
          changes.push({ Path: prefix, Kind: CHANGE_MODIFIED });
          changedDirs.add(prefix);
        }
      }
      if (st.isDirectory()) walk(abs, path);
    }
  };
  walk(upper, '');
  return changes;
}
