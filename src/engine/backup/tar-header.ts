// Encodes POSIX (PAX) tar headers. Written here rather than through tar-stream's packer so the
// backup writer can be a plain async generator (natural backpressure) and xattr values go in as
// raw bytes, as GNU tar writes them.

export type EntryType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

const TYPEFLAG: Record<EntryType | 'pax-header', string> = {
  file: '0',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
  'pax-header': 'x',
};

export interface TarHeader {
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (fractions are kept in the PAX mtime record). */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extra PAX records (values as bytes for binary xattrs). */
  pax?: Map<string, string | Buffer>;
}

export const BLOCK = 512;
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

/** NUL bytes that pad `size` up to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

function writeOctal(buf: Buffer, value: number, offset: number, width: number): void {
  buf.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'latin1');
}

function ustar(name: string, typeflag: string, h: Omit<TarHeader, 'name' | 'type' | 'pax'>): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(name, 0, 100, 'utf8');
  writeOctal(buf, h.mode & 0o7777, 100, 8);
  writeOctal(buf, Math.min(h.uid, MAX_OCTAL_7), 108, 8);
  writeOctal(buf, Math.min(h.gid, MAX_OCTAL_7), 116, 8);
  writeOctal(buf, Math.min(h.size, MAX_OCTAL_11), 124, 12);
  writeOctal(buf, Math.max(0, Math.min(Math.floor(h.mtime), MAX_OCTAL_11)), 136, 12);
  buf.write(typeflag, 156, 1, 'latin1');
  if (h.linkname) buf.write(h.linkname, 157, 100, 'utf8');
  buf.write('ustar\u000000', 257, 8, 'latin1');
  writeOctal(buf, h.devmajor ?? 0, 329, 8);
  writeOctal(buf, h.devminor ?? 0, 337, 8);
  buf.fill(' ', 148, 156);
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return buf;
}

/** One PAX record: "<len> key=value\n", where len counts the whole record. */
function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), typeof value === 'string' ? Buffer.from(value, 'utf8') : value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length > len) len++;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

const fitsUstar = (s: string, max: number): boolean => Buffer.byteLength(s) <= max && /^[\x20-\x7e]*$/.test(s);

/** The header blocks of one entry: a PAX header first when anything does not fit ustar. */
export function encodeHeader(h: TarHeader): Buffer {
  const records = new Map(h.pax ?? []);
  if (!fitsUstar(h.name, 100)) records.set('path', h.name);
  if (h.linkname && !fitsUstar(h.linkname, 100)) records.set('linkpath', h.linkname);
  if (h.uid > MAX_OCTAL_7) records.set('uid', String(h.uid));
  if (h.gid > MAX_OCTAL_7) records.set('gid', String(h.gid));
  if (h.size > MAX_OCTAL_11) records.set('size', String(h.size));
  const main = ustar(h.name.slice(0, 100), TYPEFLAG[h.type], h);
  if (records.size === 0) return main;
  const paxBody = Buffer.concat([...records].map(([k, v]) => paxRecord(k, v)));
  const base = h.name.split('/').filter(Boolean).pop() ?? 'entry';
  const paxHead = ustar(`PaxHeader/${base}`.slice(0, 100), TYPEFLAG['pax-header'], { mode: 0o644, uid: 0, gid: 0, size: paxBody.length, mtime: h.mtime });
  return Buffer.concat([paxHead, paxBody, padding(paxBody.length), main]);
}
