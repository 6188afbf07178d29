import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

// dockerd's size of a directory (moby's pkg/directory.Size, which overlay2 uses for layers,
// SizeRw and volumes): the apparent size of every entry that is not a directory (files, sparse
// ones at their apparent size, symlinks as their target's length, whiteouts 0), each inode once
// however many hard links it has; directories' own sizes are not counted.

/** Bytes under a directory, as dockerd counts them; for prune and df. */
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
      else if (countOnce(seen, st)) total += st.size;
    }
  };
  walk(dir);
  return total;
}

/**
 * The same without holding the event loop: the stats go through the thread pool, one directory's
 * entries at a time. For a whole layer just unpacked (tens of thousands of files).
 */
export async function directorySizeAsync(dir: string): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    const subdirs: string[] = [];
    await Promise.all(
      entries.map(async (e) => {
        const p = join(d, e.name);
        if (e.isDirectory()) {
          subdirs.push(p);
          return;
        }
        const st = await lstat(p).catch(() => undefined);
        if (!st) return;
        // A file system that gives no entry types says "unknown": lstat tells.
        if (st.isDirectory()) subdirs.push(p);
        else if (countOnce(seen, st)) total += st.size;
      }),
    );
    for (const s of subdirs) await walk(s);
  };
  await walk(dir);
  return total;
}

/** Whether an inode is met for the first time (only hard-linked ones need remembering). */
function countOnce(seen: Set<string>, st: { dev: number; ino: number; nlink: number }): boolean {
  if (st.nlink <= 1) return true;
  const key = `${st.dev}:${st.ino}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** Bytes of a file, or under a directory; 0 when it is gone. */
export function pathSize(path: string): number {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  return st.isDirectory() ? directorySize(path) : st.size;
}
