import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { write as fsWrite } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, SystemError } from '../../common/errors.js';
import type { BerthPaths } from '../../common/paths.js';

// Verified blobs addressed by digest. Everything arrives through an ingest file that is hashed
// while written and renamed into place only when its digest matches; a mismatch leaves no trace.

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function assertDigest(digest: string): void {
  if (!DIGEST_RE.test(digest)) throw new InvalidArgumentError(`invalid digest: ${digest}`);
}

export function sha256Digest(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export class ContentStore {
  constructor(private readonly paths: BerthPaths) {}

  has(digest: string): boolean {
    assertDigest(digest);
    return existsSync(this.paths.blob(digest));
  }

  path(digest: string): string {
    assertDigest(digest);
    return this.paths.blob(digest);
  }

  size(digest: string): number {
    return statSync(this.path(digest)).size;
  }

  read(digest: string): Buffer {
    return readFileSync(this.path(digest));
  }

  /** Streams a stored blob in chunks. */
  stream(digest: string): AsyncIterable<Buffer> {
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20 });
  }

  /** Stores a small blob held in memory, verifying it first. */
  writeBuffer(digest: string, data: Buffer): void {
    assertDigest(digest);
    if (sha256Digest(data) !== digest) throw new SystemError(`digest mismatch for ${digest}`);
    const target = this.paths.blob(digest);
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  }

  /**
   * Opens the ingest file of a blob. Bytes a previous attempt left there are kept: `offset`
   * says how many, and `replay()` hashes and yields them so a reader can resume with Range.
   */
  ingest(digest: string): BlobIngest {
    assertDigest(digest);
    mkdirSync(this.paths.ingestDir, { recursive: true });
    return new BlobIngest(digest, join(this.paths.ingestDir, digest.replace(':', '-')), this.paths.blob(digest));
  }
}

const writeAsync = promisify(fsWrite);
/** Bytes allowed to wait for the disk before the writer is asked to slow down. */
const MAX_QUEUED = 16 * 1024 * 1024;

export class BlobIngest {
  private readonly hash: Hash = createHash('sha256');
  private fd: number | undefined;
  /** Bytes already on disk from an earlier, interrupted attempt. */
  readonly offset: number;
  private written = 0;
  /** Writes go through the thread pool, in order, so a slow disk never stalls the event loop. */
  private pending: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private queued = 0;

  constructor(
    readonly digest: string,
    private readonly file: string,
    private readonly target: string,
  ) {
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    this.offset = size;
  }

  get bytes(): number {
    return this.written;
  }

  /** Yields (and hashes) the bytes kept from an earlier attempt. */
  async *replay(): AsyncGenerator<Buffer> {
    if (this.offset === 0) return;
    for await (const chunk of createReadStream(this.file, { end: this.offset - 1, highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      this.hash.update(b);
      this.written += b.length;
      yield b;
    }
  }

  write(chunk: Buffer): void {
    if (this.writeError) throw this.writeError;
    if (this.fd === undefined) this.fd = openSync(this.file, 'a');
    const fd = this.fd;
    this.hash.update(chunk);
    this.written += chunk.length;
    this.queued += chunk.length;
    this.pending = this.pending.then(async () => {
      if (this.writeError) return;
      try {
        let off = 0;
        while (off < chunk.length) off += (await writeAsync(fd, chunk, off, chunk.length - off)).bytesWritten;
      } catch (err) {
        this.writeError = err;
      }
      this.queued -= chunk.length;
    });
  }

  /** Resolves once the disk has caught up, when too much is waiting to be written. */
  async backpressure(): Promise<void> {
    if (this.queued > MAX_QUEUED) await this.pending;
  }

  /** Verifies the digest and moves the blob into place. On mismatch the partial file is deleted. */
  async commit(): Promise<void> {
    await this.pending;
    this.close();
    if (this.writeError) {
      rmSync(this.file, { force: true });
      throw this.writeError;
    }
    const actual = 'sha256:' + this.hash.digest('hex');
    if (actual !== this.digest) {
      rmSync(this.file, { force: true });
      throw new SystemError(`filesystem layer verification failed for digest ${this.digest}`);
    }
    mkdirSync(dirname(this.target), { recursive: true });
    if (this.written === 0 && !existsSync(this.file)) writeFileSync(this.file, '');
    renameSync(this.file, this.target);
  }

  /** Stops writing but keeps the partial file, so the next attempt resumes. */
  async abort(): Promise<void> {
    await this.pending;
    this.close();
  }

  /** Stops writing and removes the partial file. */
  async discard(): Promise<void> {
    await this.pending;
    this.close();
    rmSync(this.file, { force: true });
  }

  private close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
