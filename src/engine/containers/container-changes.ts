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
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
}

/** Changes in `upper` against `lowers` (the image's layer directories, any order). */
export function containerChanges(upper: string, lowers: string[]): Change[] {
  const changes: Change[] = [];
  // Returns whether anything under `dir` changed, so a directory copied up only to hold the
  // runtime's mount points (/etc for /etc/hosts) is not reported, as Docker's init layer hides it.
  const walk = (dir: string, prefix: string): boolean => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return false;
    }
    let any = false;
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
      const at = changes.length;
      if (kind !== undefined) changes.push({ Path: path, Kind: kind });
      const inner = st.isDirectory() && kind !== CHANGE_DELETED ? walk(abs, path) : false;
      if (kind === undefined && inner) changes.splice(at, 0, { Path: path, Kind: CHANGE_MODIFIED });
      any ||= kind !== undefined || inner;
    }
    return any;
  };
  walk(upper, '');
  return changes;
}
