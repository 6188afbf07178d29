import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes under a directory (files counted once per inode), for prune and df. */
export function directorySize(dir: string): number {
  let total = 0;
  const seen = new Set<string>();
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (!seen.has(`${st.dev}:${st.ino}`)) {
        seen.add(`${st.dev}:${st.ino}`);
        total += st.size;
      }
    }
  };
  walk(dir);
  return total;
}

/** Bytes of a file, or under a directory; 0 when it is gone. */
export function pathSize(path: string): number {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  return st.isDirectory() ? directorySize(path) : st.size;
}
