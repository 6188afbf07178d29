import { createHash, type Hash } from 'node:crypto';
import type { TarEntrySink, TarHeader } from '../../common/archive/tar-reader.js';

// The sha256 of one archive member covers what a restore would recreate from it: its kind, name,
// owner, mode, time, link target, device numbers, PAX records (xattrs, sparse map) and content
// bytes. Writer and extractor compute it from the same fields, so any altered byte is caught.

export interface MemberMeta {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** PAX records other than path, linkpath and size, values as bytes. */
  pax: [string, Buffer][];
}

/** PAX keys that only restate fields the digest already covers. */
const RESTATED = new Set(['path', 'linkpath', 'size']);

/** A hash already fed with the member's metadata; feed it the content, then digest('hex'). */
export function memberHash(m: MemberMeta): Hash {
  const pax = m.pax
    .filter(([k]) => !RESTATED.has(k))
    .map(([k, v]) => `${k}=${v.toString('hex')}`)
    .sort();
  const line = JSON.stringify([m.name, m.type, m.mode & 0o7777, m.uid, m.gid, Math.floor(m.mtime), m.linkname, m.devmajor, m.devminor, pax]);
  return createHash('sha256').update(line).update('\n');
}

const DIGESTED = new Set(['file', 'contiguous-file', 'directory', 'symlink', 'link', 'character-device', 'block-device', 'fifo']);

/**
 * An extraction observer (see common/archive/extract) that fills `digests` with every member's
 * sha256 by entry name, from the header and PAX bytes exactly as read and the content bytes.
 */
export function digestObserver(digests: Map<string, string>): (h: TarHeader) => TarEntrySink | undefined {
  return (h) => {
    if (!DIGESTED.has(h.type)) return undefined;
    const pax = h.paxBytes ?? new Map<string, Buffer>();
    const name = h.pax?.['GNU.sparse.major'] === '1' ? (h.pax['GNU.sparse.name'] ?? h.name) : h.name;
    const device = h.type === 'character-device' || h.type === 'block-device';
    const hash = memberHash({
      name: h.name,
      type: h.type,
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      mtime: Math.floor(h.mtime.getTime() / 1000),
      linkname: h.linkname ?? '',
      devmajor: device ? h.devmajor : 0,
      devminor: device ? h.devminor : 0,
      pax: [...pax],
    });
    const content = h.type === 'file' || h.type === 'contiguous-file';
    return {
      write: (chunk) => {
        if (content) hash.update(chunk);
      },
      end: () => {
        digests.set(name, hash.digest('hex'));
      },
    };
  };
}
