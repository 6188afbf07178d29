import { createHash, type Hash } from 'node:crypto';

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
