import { PassThrough, Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BerthError, InvalidArgumentError } from '../errors.js';
import { TarExtractor, type ExtractPolicy } from './extractor.js';
import { TarReader, type TarEntrySink, type TarHeader } from './tar-reader.js';
import { ZstdDecompress } from './zstd-decompress.js';

// Reads a tar stream (plain, gzip or zstd, told by the caller or by its magic bytes) into a
// directory through the one extractor. A corrupt or truncated stream is the client's fault: it
// ends in an InvalidArgumentError (400), never a hang or an internal error.

export type Compression = 'gzip' | 'zstd' | 'none';

/** How long a refused archive waits for its source (a download) to close. */
const RELEASE_WAIT_MS = 30_000;

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

export interface ExtractTarOptions {
  /** Known compression; sniffed from the first bytes when absent. */
  compression?: Compression;
  /** Sees every byte of the uncompressed tar, in order (a diff ID hash). */
  tap?: (chunk: Buffer) => void;
  /**
   * Sees each entry's header (PAX values as raw bytes in paxBytes) before it is extracted, and
   * through the sink it returns every byte of the entry's content (a per-member digest).
   */
  observe?: (header: TarHeader) => TarEntrySink | undefined;
  /** Runs once the stream is read, before device nodes, xattrs and times are applied (a digest check). */
  verify?: () => void | Promise<void>;
}

/** A stream that inflates `kind` (a pass-through for plain tars). */
export function decompressor(kind: Compression): Duplex {
  if (kind === 'gzip') return createGunzip({ chunkSize: 256 * 1024 });
  if (kind === 'zstd') return new ZstdDecompress();
  return new PassThrough();
}

/** The end of the pipeline: every chunk goes to the tap and the reader, in order. */
class TarSink extends Writable {
  bytes = 0;
  constructor(
    private readonly reader: TarReader,
    private readonly tap: ((chunk: Buffer) => void) | undefined,
    private readonly maxBytes: number,
  ) {
    super({ highWaterMark: 1 << 20 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      this.bytes += chunk.length;
      if (this.bytes > this.maxBytes)
        throw new InvalidArgumentError(`invalid archive: more than ${this.maxBytes} bytes once uncompressed`);
      this.tap?.(chunk);
      this.reader.push(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
  override _final(cb: (err?: Error | null) => void): void {
    try {
      this.reader.end();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

/** A decompressor's failure as the client's fault, in Go's words where it has them. */
export function streamError(err: unknown, kind: Compression): Error {
  if (err instanceof BerthError) return err;
  const e = err as NodeJS.ErrnoException;
  if (kind === 'gzip' && typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new InvalidArgumentError(
      e.code === 'Z_BUF_ERROR' ? 'unexpected EOF' : `gzip: invalid data: ${e.message}`,
    );
  }
  return err as Error;
}

/** The source with its compression known: the first bytes are read ahead to tell, when needed. */
async function withCompression(
  source: AsyncIterable<Buffer>,
  known: Compression | undefined,
): Promise<{ kind: Compression; input: Readable; release: () => Promise<void> }> {
  // Iterated by hand: a failed extraction must not destroy the source when it is a request body,
  // whose socket still has to carry the error response.
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (!known && size < 4) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    head.push(n.value);
    size += n.value.length;
  }
  const first = Buffer.concat(head);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length) yield first;
    if (done) return;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return {
    kind: known ?? sniffCompression(first),
    input: Readable.from(all(), { objectMode: false, highWaterMark: 1 << 20 }),
    release: async () => {
      if (source instanceof Readable) {
        // Drained, so that the answer can be read by a client still sending.
        if (!source.destroyed) source.resume();
        return;
      }
      // Any other source (a registry download) is closed: nothing will read the rest. Waited for
      // (a while), so that the caller's cleanup comes after the source's last write.
      const closed = it.return?.().catch(() => undefined);
      if (closed) await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, RELEASE_WAIT_MS).unref())]);
    },
  };
}

/** The extractor's entry callback, with an observer fed the same header and content first. */
function observed(
  observe: (header: TarHeader) => TarEntrySink | undefined,
  extractor: TarExtractor,
): (header: TarHeader) => TarEntrySink | undefined {
  return (header) => {
    const seen = observe(header);
    const written = extractor.entry(header);
    if (!seen || !written) return seen ?? written;
    return {
      write(chunk) {
        seen.write(chunk);
        written.write(chunk);
      },
      end() {
        seen.end();
        written.end();
      },
    };
  };
}

/**
 * Extracts `source` into `root` under `policy`; returns the bytes of file content written. On
 * failure what was written stays: the caller removes its scratch directory.
 */
export async function extractTar(
  source: AsyncIterable<Buffer>,
  root: string,
  policy: ExtractPolicy,
  o: ExtractTarOptions = {},
): Promise<{ size: number }> {
  const extractor = new TarExtractor(root, policy);
  const { kind, input, release } = await withCompression(source, o.compression);
  // Headers and padding come on top of the file bytes the limit counts.
  const maxBytes = policy.limits.bytes + policy.limits.entries * 2048;
  const onEntry = o.observe ? observed(o.observe, extractor) : (h: TarHeader) => extractor.entry(h);
  const sink = new TarSink(new TarReader(onEntry), o.tap, maxBytes);
  try {
    await pipeline(input, decompressor(kind), sink);
    await o.verify?.();
    await extractor.finish();
  } catch (err) {
    extractor.abort();
    await release();
    throw streamError(err, kind);
  }
  return { size: extractor.size };
}
