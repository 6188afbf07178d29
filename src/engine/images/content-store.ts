import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { write as fsWrite } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { pathSize } from '../../common/directory-size.js';
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

/** A partial download this old is not worth resuming: it is removed (containerd's ingest GC waits a day too). */
export const STALE_INGEST_MS = 24 * 60 * 60 * 1000;

/** Ingest files are named after their digest; anything else in ingest/ is a scratch file of load/save/import. */
const INGEST_NAME_RE = /^sha256-[a-f0-9]{64}$/;
/** Temp names writeBuffer leaves beside a blob when killed between write and rename. */
const BLOB_TMP_RE = /\.tmp-/;

export interface RemovedLeftover {
  path: string;
  bytes: number;
}

function removeLeftover(path: string, out: RemovedLeftover[]): void {
  const bytes = pathSize(path);
  rmSync(path, { recursive: true, force: true });
  out.push({ path, bytes });
}

export class ContentStore {
  /** Ingest files downloads are writing right now (with how many): never removed as stale. */
  private readonly active = new Map<string, number>();

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
    const file = this.paths.ingestFile(digest);
    // Bytes left a day ago are not resumed: the registry may hold other bytes by now.
    if (isStale(file, Date.now())) rmSync(file, { force: true });
    this.active.set(file, (this.active.get(file) ?? 0) + 1);
    let open = true;
    const release = (): void => {
      if (!open) return;
      open = false;
      const n = (this.active.get(file) ?? 1) - 1;
      if (n > 0) this.active.set(file, n);
      else this.active.delete(file);
    };
    return new BlobIngest(digest, file, this.paths.blob(digest), release);
  }

  /**
   * Removes what interrupted writes left behind. Always: ingest files older than a day. At
   * start-up (`startup`, when nothing can be writing): also every scratch file of load, save and
   * import in ingest/, and the temp files of small blobs. Partial downloads younger than a day
   * stay, so the next pull resumes them.
   */
  removeLeftovers(opts: { startup: boolean }): RemovedLeftover[] {
    const out: RemovedLeftover[] = [];
    const now = Date.now();
    for (const name of safeReaddir(this.paths.ingestDir)) {
      const path = join(this.paths.ingestDir, name);
      if (this.active.has(path)) continue;
      const scratch = !INGEST_NAME_RE.test(name);
      if ((opts.startup && scratch) || isStale(path, now)) removeLeftover(path, out);
    }
    if (opts.startup) {
      const blobs = this.paths.blobsRoot;
      for (const alg of safeReaddir(blobs)) {
        for (const name of safeReaddir(join(blobs, alg))) {
          if (BLOB_TMP_RE.test(name)) removeLeftover(join(blobs, alg, name), out);
        }
      }
    }
    return out;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isStale(path: string, now: number): boolean {
  try {
    return now - lstatSync(path).mtimeMs > STALE_INGEST_MS;
  } catch {
    return false;
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
  /** Set once committed, aborted or discarded: a late chunk must not reopen the file. */
  private closed = false;

  constructor(
    readonly digest: string,
    private readonly file: string,
    private readonly target: string,
    private readonly onClose: () => void = () => {},
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
    if (this.closed) throw new SystemError(`ingest of ${this.digest} is closed`);
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
    this.closed = true;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    this.onClose();
  }
}
