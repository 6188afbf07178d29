import { InvalidArgumentError } from '../errors.js';
import { decodePaxBytes, paxStrings } from './pax.js';

// A synchronous, push-driven tar reader: bytes go in as they come out of the decompressor,
// headers and file content come out as calls, with no stream per entry. It reads ustar (name
// prefix), GNU (long names and link names) and PAX (local and global records; xattrs byte-exact).
// Its metadata records are bounded (as Go's archive/tar bounds them), so a huge header is an
// error, not an allocation; reading stops at the first end-of-archive block, as Go's does.

export type TarEntryType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo'
  | 'contiguous-file'
  | 'unknown';

export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  type: TarEntryType;
  linkname: string | null;
  devmajor: number;
  devminor: number;
  pax: Record<string, string> | null;
  /** The same PAX records with their values as raw bytes (for a digest over exactly what was read). */
  paxBytes: Map<string, Buffer> | null;
}

/** Receives one entry's content, in order; `end` is called once all of it was written. */
export interface TarEntrySink {
  write(chunk: Buffer): void;
  end(): void;
}

const BLOCK = 512;
/** PAX and GNU long-name records larger than this are refused (Go's maxSpecialFileSize). */
export const MAX_TAR_META = 1 << 20;

const TYPES: Record<number, TarEntryType> = {
  0: 'file',
  48: 'file',
  49: 'link',
  50: 'symlink',
  51: 'character-device',
  52: 'block-device',
  53: 'directory',
  54: 'fifo',
  55: 'contiguous-file',
};
const PAX_LOCAL = 0x78; // 'x'
const PAX_GLOBAL = 0x67; // 'g'
const GNU_LONG_NAME = 0x4c; // 'L'
const GNU_LONG_LINK = 0x4b; // 'K'

function corrupt(why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid tar header: ${why}`);
}

function str(buf: Buffer, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && buf[end] !== 0) end++;
  return buf.toString('utf8', off, end);
}

/** A numeric field: octal (space/NUL padded) or GNU base-256. */
function num(buf: Buffer, off: number, len: number): number {
  if (buf[off]! & 0x80) {
    if (buf[off] === 0xff) return NaN; // negative
    let v = buf[off]! & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + buf[i]!;
    return v;
  }
  let i = off;
  const end = off + len;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) return NaN;
    v = v * 8 + (c - 0x30);
  }
  return v;
}

/** The header checksum, unsigned and signed (old tars summed signed chars; Go accepts both). */
function checksums(block: Buffer): [number, number] {
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const b = block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return [unsigned, signed];
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function isPosixUstar(block: Buffer): boolean {
  // "ustar\0" (POSIX); GNU writes "ustar  \0" and keeps other data where POSIX has the prefix.
  return block[257] === 0x75 && block[262] === 0 && block.toString('latin1', 257, 262) === 'ustar';
}

function paxNumber(v: string, what: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw corrupt(`invalid PAX ${what} ${JSON.stringify(v.slice(0, 40))}`);
  return n;
}

type MetaKind = 'pax' | 'pax-global' | 'long-name' | 'long-link';

export class TarReader {
  private readonly head = Buffer.alloc(BLOCK);
  private headFill = 0;
  /** Bytes of the current entry's content still to come. */
  private missing = 0;
  /** Padding after the current content, up to the next block. */
  private padding = 0;
  private sink: TarEntrySink | undefined;
  private meta: { kind: MetaKind; parts: Buffer[] } | undefined;
  private pax: Map<string, Buffer> | null = null;
  private paxGlobal: Map<string, Buffer> | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;
  /** An end-of-archive block was read: whatever follows is not read. */
  private ended = false;

  /** `onEntry` returns where the entry's content goes, or nothing to skip it. */
  constructor(
    private readonly onEntry: (header: TarHeader) => TarEntrySink | undefined,
    private readonly maxMeta = MAX_TAR_META,
  ) {}

  push(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len && !this.ended) {
      if (this.missing > 0) {
        const n = Math.min(this.missing, len - pos);
        const part = chunk.subarray(pos, pos + n);
        if (this.sink) this.sink.write(part);
        else if (this.meta) this.meta.parts.push(Buffer.from(part));
        this.missing -= n;
        pos += n;
        if (this.missing === 0) this.finishEntry();
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, len - pos);
        this.padding -= n;
        pos += n;
        continue;
      }
      if (this.headFill === 0 && len - pos >= BLOCK) {
        this.header(chunk.subarray(pos, pos + BLOCK));
        pos += BLOCK;
        continue;
      }
      const n = Math.min(BLOCK - this.headFill, len - pos);
      chunk.copy(this.head, this.headFill, pos, pos + n);
      this.headFill += n;
      pos += n;
      if (this.headFill === BLOCK) {
        this.headFill = 0;
        this.header(this.head);
      }
    }
  }

  /** The input ended: anything but a boundary between entries is a truncated tar. */
  end(): void {
    if (this.ended) return;
    if (
      this.missing > 0 ||
      this.headFill > 0 ||
      this.meta ||
      this.pax ||
      this.longName !== null ||
      this.longLink !== null
    ) {
      throw new InvalidArgumentError('unexpected EOF');
    }
  }

  private header(block: Buffer): void {
    if (isZero(block)) {
      this.ended = true;
      return;
    }
    const want = num(block, 148, 8);
    const [unsigned, signed] = checksums(block);
    if (want !== unsigned && want !== signed)
      throw corrupt('checksum mismatch (corrupted, or not a tar archive)');
    const flag = block[156]!;
    const size = num(block, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt('bad entry size');

    if (flag === PAX_LOCAL || flag === PAX_GLOBAL || flag === GNU_LONG_NAME || flag === GNU_LONG_LINK) {
      if (size > this.maxMeta)
        throw corrupt(`metadata record of ${size} bytes is larger than ${this.maxMeta}`);
      const kind: MetaKind =
        flag === PAX_LOCAL
          ? 'pax'
          : flag === PAX_GLOBAL
            ? 'pax-global'
            : flag === GNU_LONG_NAME
              ? 'long-name'
              : 'long-link';
      this.meta = { kind, parts: [] };
      this.startContent(size);
      return;
    }

    let name = this.longName ?? str(block, 0, 100);
    if (this.longName === null && isPosixUstar(block) && block[345] !== 0)
      name = `${str(block, 345, 155)}/${name}`;
    const linkname = this.longLink ?? (block[157] === 0 ? null : str(block, 157, 100));
    let type = TYPES[flag] ?? 'unknown';
    if (type === 'file' && name.endsWith('/')) type = 'directory';
    const header: TarHeader = {
      name,
      mode: num(block, 100, 8),
      uid: num(block, 108, 8),
      gid: num(block, 116, 8),
      size,
      mtime: new Date(num(block, 136, 12) * 1000),
      type,
      linkname,
      devmajor: type === 'character-device' || type === 'block-device' ? num(block, 329, 8) : 0,
      devminor: type === 'character-device' || type === 'block-device' ? num(block, 337, 8) : 0,
      pax: null,
      paxBytes: null,
    };
    this.longName = null;
    this.longLink = null;
    const paxBytes = this.pax ? (this.paxGlobal ? new Map([...this.paxGlobal, ...this.pax]) : this.pax) : this.paxGlobal;
    this.pax = null;
    if (paxBytes) {
      const pax = paxStrings(paxBytes);
      if (pax.path) header.name = pax.path;
      if (pax.linkpath) header.linkname = pax.linkpath;
      if (pax.size !== undefined) header.size = paxNumber(pax.size, 'size');
      if (pax.uid !== undefined) header.uid = paxNumber(pax.uid, 'uid');
      if (pax.gid !== undefined) header.gid = paxNumber(pax.gid, 'gid');
      if (pax.mtime) header.mtime = new Date(parseFloat(pax.mtime) * 1000);
      header.pax = pax;
      header.paxBytes = paxBytes;
    }
    for (const v of [header.mode, header.uid, header.gid, header.devmajor, header.devminor]) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw corrupt(`bad numeric field in the header of ${JSON.stringify(header.name.slice(0, 200))}`);
    }
    if (Number.isNaN(header.mtime.getTime())) header.mtime = new Date(0);
    // Only regular files carry content; the size of any other entry is skipped.
    this.sink = this.onEntry(header);
    this.startContent(header.size);
  }

  private startContent(size: number): void {
    this.missing = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    const sink = this.sink;
    const meta = this.meta;
    this.sink = undefined;
    this.meta = undefined;
    if (sink) sink.end();
    if (!meta) return;
    const body = Buffer.concat(meta.parts);
    switch (meta.kind) {
      case 'pax':
        this.pax = decodePaxBytes(body);
        break;
      case 'pax-global':
        this.paxGlobal = decodePaxBytes(body);
        break;
      case 'long-name':
        this.longName = str(body, 0, body.length);
        break;
      case 'long-link':
        this.longLink = str(body, 0, body.length);
        break;
    }
  }
}
