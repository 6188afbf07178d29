import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../common/errors.js';

// Reads tar (ustar, PAX, GNU long names) entry by entry with PAX values kept as raw bytes:
// binary xattrs such as security.capability or POSIX ACLs must reach setfattr unmangled, which
// tar-stream's UTF-8 decoding of PAX records does not allow once bundled.

export interface TarEntryHeader {
  name: string;
  type: 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'contiguous-file' | 'unknown';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  /** Whole seconds of the ustar field (what a digest is computed over). */
  mtimeSeconds: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  pax: Map<string, Buffer>;
}

export interface TarEntry {
  header: TarEntryHeader;
  /** The entry's content; must be read to its end (or not at all) before the next entry. */
  body: AsyncGenerator<Buffer>;
}

const TYPES: Record<string, TarEntryHeader['type']> = {
  '0': 'file',
  '\0': 'file',
  '': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  '7': 'contiguous-file',
};

export function truncated(): InvalidArgumentError {
  return new InvalidArgumentError('unexpected end of archive: it is truncated');
}

class ByteQueue {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  constructor(private readonly it: AsyncIterator<Buffer | string>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.ended) {
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const b = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      this.chunks.push(b);
      this.length += b.length;
    }
    return this.length >= n;
  }

  /** Exactly n bytes, or null at a clean end of input; throws when input ends inside them. */
  async read(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) {
      if (this.length === 0) return null;
      throw truncated();
    }
    return this.take(n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  /** n bytes as they arrive, in pieces. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.length === 0 && !(await this.fill(1))) throw truncated();
      const head = this.chunks[0]!;
      if (head.length <= left) {
        this.chunks.shift();
        this.length -= head.length;
        left -= head.length;
        yield head;
      } else {
        this.chunks[0] = head.subarray(left);
        this.length -= left;
        yield head.subarray(0, left);
        left = 0;
      }
    }
  }
}

function cstring(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return (nul === -1 ? s : s.subarray(0, nul)).toString('utf8');
}

function numeric(b: Buffer, start: number, len: number): number {
  const f = b.subarray(start, start + len);
  if (f[0]! & 0x80) {
    // GNU base-256 for values that do not fit octal.
    let v = 0;
    for (let i = 1; i < f.length; i++) v = v * 256 + f[i]!;
    return v;
  }
  const s = f.toString('latin1').replace(/[\0 ]+$/g, '').replace(/^[ ]+/, '');
  return s ? parseInt(s, 8) : 0;
}

function checksumOk(b: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  return sum === numeric(b, 148, 8);
}

function parsePax(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let rest = buf;
  while (rest.length) {
    const sp = rest.indexOf(32);
    if (sp <= 0) break;
    const len = parseInt(rest.subarray(0, sp).toString('latin1'), 10);
    if (!len || len > rest.length) throw new InvalidArgumentError('corrupt PAX header in archive');
    const rec = rest.subarray(sp + 1, len - 1);
    const eq = rec.indexOf(61);
    if (eq > 0) out.set(rec.subarray(0, eq).toString('utf8'), Buffer.from(rec.subarray(eq + 1)));
    rest = rest.subarray(len);
  }
  return out;
}

const pad = (n: number): number => (512 - (n % 512)) % 512;

/** The entries of a tar stream, one at a time. */
export async function* readTar(input: Readable | AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const q = new ByteQueue((input as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
  let pax = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const block = await q.read(512);
    // Every tar writer ends with zero blocks: input that stops without them was cut short.
    if (!block) throw truncated();
    if (block.every((x) => x === 0)) return;
    if (!checksumOk(block)) throw new InvalidArgumentError('corrupt tar header in archive (bad checksum)');
    const flag = String.fromCharCode(block[156]!);
    let size = numeric(block, 124, 12);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const data = await q.read(size + pad(size));
      if (!data) throw truncated();
      const body = data.subarray(0, size);
      if (flag === 'x') pax = new Map([...pax, ...parsePax(body)]);
      else if (flag === 'L') longName = cstring(body, 0, body.length);
      else if (flag === 'K') longLink = cstring(body, 0, body.length);
      continue;
    }
    const ustar = block.subarray(257, 262).toString('latin1') === 'ustar';
    const prefix = ustar ? cstring(block, 345, 155) : '';
    let name = cstring(block, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const str = (k: string) => pax.get(k)?.toString('utf8');
    const mtimeSeconds = numeric(block, 136, 12);
    if (str('size') !== undefined) size = Number(str('size'));
    const header: TarEntryHeader = {
      name: str('path') ?? longName ?? name,
      type: TYPES[flag] ?? 'unknown',
      mode: numeric(block, 100, 8) & 0o7777,
      uid: str('uid') !== undefined ? Number(str('uid')) : numeric(block, 108, 8),
      gid: str('gid') !== undefined ? Number(str('gid')) : numeric(block, 116, 8),
      size,
      mtimeSeconds,
      mtime: new Date((str('mtime') !== undefined ? Number(str('mtime')) : mtimeSeconds) * 1000),
      linkname: str('linkpath') ?? longLink ?? cstring(block, 157, 100),
      devmajor: numeric(block, 329, 8),
      devminor: numeric(block, 337, 8),
      pax,
    };
    pax = new Map();
    longName = undefined;
    longLink = undefined;
    // Only regular files carry data in the archive (a hard link's size is informational).
    const dataSize = header.type === 'file' || header.type === 'contiguous-file' || header.type === 'unknown' ? size : 0;
    let consumed = false;
    const body = (async function* () {
      consumed = true;
      yield* q.stream(dataSize);
    })();
    yield { header, body };
    if (!consumed) for await (const _ of q.stream(dataSize)) void _;
    else for await (const _ of body) void _;
    if (pad(dataSize)) {
      const p = await q.read(pad(dataSize));
      if (!p) throw truncated();
    }
  }
}
