import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { extract as tarExtract } from 'tar-stream';
import { SystemError } from '../../common/errors.js';
import { layerCompression, type LayerCompression } from '../images/media-types.js';
import { installBinaryPaxDecoder } from './pax-binary.js';
import { TarExtractor } from './tar-extractor.js';

// Streams one layer (gzip, zstd or plain tar) into a directory, verifying the digest of the
// uncompressed tar (diff ID) and, when asked, of the compressed bytes. On any failure the
// directory is removed, so a caller renames it into place only after success.

installBinaryPaxDecoder();

export interface UnpackOptions {
  /** Directory to create and fill; must not exist yet. */
  target: string;
  mediaType?: string;
  /** Expected sha256 of the uncompressed tar. */
  diffId: string;
  /** Expected sha256 of the compressed stream, when nothing else verifies it. */
  digest?: string;
  /** Called with the count of compressed bytes consumed so far. */
  onProgress?: (bytes: number) => void;
}

export interface UnpackResult {
  /** Bytes of file content unpacked. */
  size: number;
}

function sniff(head: Buffer): LayerCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

class ZstdStream extends Transform {
  private readonly dec = new ZstdDecompress((chunk) => this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.dec.push(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.dec.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

/** Passes bytes through while hashing them. */
class HashTap extends Transform {
  readonly hash = createHash('sha256');
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }
}

function decompressor(kind: LayerCompression): Transform {
  if (kind === 'gzip') return createGunzip({ chunkSize: 256 * 1024 });
  if (kind === 'zstd') return new ZstdStream();
  return new PassThrough();
}

/** Reads `source` to the end and unpacks it into `opts.target`; removes the target on failure. */
export async function unpackLayer(source: AsyncIterable<Buffer>, opts: UnpackOptions): Promise<UnpackResult> {
  mkdirSync(opts.target, { mode: 0o755 });
  const extractor = new TarExtractor(opts.target);
  const compressedHash = opts.digest ? createHash('sha256') : undefined;
  let kind = layerCompression(opts.mediaType);
  let consumed = 0;

  async function* compressed(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      if (kind === 'unknown') kind = sniff(chunk);
      compressedHash?.update(chunk);
      consumed += chunk.length;
      opts.onProgress?.(consumed);
      yield chunk;
    }
  }

  try {
    const input = Readable.from(compressed(), { objectMode: false, highWaterMark: 1 << 20 });
    // The decompressor is chosen once the first bytes are known, when the type does not say.
    if (kind === 'unknown') {
      const first = await new Promise<Buffer | null>((resolve, reject) => {
        input.once('readable', () => resolve(input.read() as Buffer | null));
        input.once('error', reject);
      });
      if (first) input.unshift(first);
      if (kind === 'unknown') kind = 'none';
    }
    const tap = new HashTap();
    const tar = tarExtract();
    tar.on('entry', (header, stream, next) => {
      extractor.entry(header, stream as unknown as Readable).then(
        () => next(),
        (err: Error) => {
          stream.resume();
          next(err);
        },
      );
    });
    await pipeline(input, decompressor(kind), tap, tar as unknown as NodeJS.WritableStream);
    const diffId = 'sha256:' + tap.hash.digest('hex');
    if (diffId !== opts.diffId) {
      throw new SystemError(`layer diff ID mismatch: expected ${opts.diffId}, got ${diffId}`);
    }
    if (compressedHash) {
      const digest = 'sha256:' + compressedHash.digest('hex');
      if (digest !== opts.digest) throw new SystemError(`filesystem layer verification failed for digest ${opts.digest}`);
    }
    await extractor.finish();
    return { size: extractor.size };
  } catch (err) {
    rmSync(opts.target, { recursive: true, force: true });
    throw err;
  }
}
