import { createReadStream, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar, { type Header as FullHeader } from 'tar-stream';

type Header = Partial<FullHeader> & { name: string };

// Writes a file or directory tree as a tar stream, keeping owners, modes, times, symlinks, hard
// links and device nodes: the body of GET /containers/{id}/archive and of export.

export interface PackOptions {
  /** Name the top entry gets in the archive (Docker's rebase); '' packs a directory's contents bare. */
  rebase: string;
  /** Relative paths (from the packed directory) left out, e.g. mount points for export. */
  exclude?: (rel: string) => boolean;
}

/** The tar entry type of a file as lstat sees it (sockets and the like have none). */
export function entryTypeOf(st: Stats): 'file' | 'directory' | 'symlink' | 'character-device' | 'block-device' | 'fifo' | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return undefined;
}

/** Packs `source` (lstat'ed, not followed) as a tar stream. */
export function packPath(source: string, o: PackOptions): Readable {
  const pack = tar.pack();
  const links = new Map<string, string>();
  const add = (header: Header, file?: string) =>
    new Promise<void>((resolve, reject) => {
      if (!file) {
        pack.entry(header, (err) => (err ? reject(err) : resolve()));
        return;
      }
      const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      const rs = createReadStream(file);
      rs.on('error', reject);
      rs.pipe(entry);
    });
  const visit = async (abs: string, name: string, rel: string): Promise<void> => {
    if (rel && o.exclude?.(rel)) return;
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    const type = entryTypeOf(st);
    if (!type) return; // sockets are not archived, as in Docker
    const header: Header = {
      name: type === 'directory' && name ? `${name}/` : name,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: st.mtime,
      type,
      size: 0,
    };
    if (name) {
      const key = `${st.dev}:${st.ino}`;
      if (type !== 'directory' && st.nlink > 1) {
        const first = links.get(key);
        if (first) {
          await add({ ...header, type: 'link', linkname: first });
          return;
        }
        links.set(key, name);
      }
      if (type === 'file') await add({ ...header, size: st.size }, abs);
      else if (type === 'symlink') await add({ ...header, linkname: readlinkSync(abs) });
      else if (type === 'character-device' || type === 'block-device') {
        await add({ ...header, devmajor: Math.floor(st.rdev / 256) & 0xfff, devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) });
      } else await add(header);
    }
    if (type === 'directory') {
      for (const child of readdirSync(abs).sort()) {
        await visit(join(abs, child), name ? `${name}/${child}` : child, rel ? `${rel}/${child}` : child);
      }
    }
  };
  visit(source, o.rebase, '').then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return Readable.from(pack);
}
