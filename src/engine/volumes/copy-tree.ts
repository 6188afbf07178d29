import {
  chmodSync,
  copyFileSync,
  constants,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';

// Copies a directory's contents keeping owners, modes, times, symlinks and hard links: the image's
// files going into a new empty volume (Docker's copy-up). Sockets and device nodes are skipped.

function keepMeta(path: string, st: Stats): void {
  lchownSync(path, st.uid, st.gid);
  if (!st.isSymbolicLink()) chmodSync(path, st.mode & 0o7777);
  lutimesSync(path, st.atime, st.mtime);
}

/** Copies everything under `src` into the existing directory `dst`. */
export function copyTree(src: string, dst: string): void {
  const links = new Map<string, string>();
  const dirs: [string, Stats][] = [];
  const walk = (from: string, to: string) => {
    for (const name of readdirSync(from)) {
      const s = join(from, name);
      const d = join(to, name);
      const st = lstatSync(s);
      if (st.isDirectory()) {
        mkdirSync(d);
        walk(s, d);
        dirs.push([d, st]);
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1 && !st.isDirectory() && links.has(key)) {
        linkSync(links.get(key)!, d);
        continue;
      }
      if (st.isSymbolicLink()) symlinkSync(readlinkSync(s), d);
      else if (st.isFile()) copyFileSync(s, d, constants.COPYFILE_EXCL);
      else continue;
      keepMeta(d, st);
      if (st.nlink > 1) links.set(key, d);
    }
  };
  walk(src, dst);
  // Directory times last: writing into a directory changes its mtime.
  for (const [d, st] of dirs) keepMeta(d, st);
}

/** Gives `dst` the owner and mode of `src` (the volume root takes the image directory's). */
export function copyOwnership(src: string, dst: string): void {
  const st = lstatSync(src);
  lchownSync(dst, st.uid, st.gid);
  chmodSync(dst, st.mode & 0o7777);
}
