import type { Writable } from 'node:stream';

// Docker's multiplexed stream (non-TTY attach, logs, exec): frames of
// [stream: 0 stdin | 1 stdout | 2 stderr | 3 system error][0 0 0][payload size, uint32 BE][payload].

export type StreamKind = 'stdin' | 'stdout' | 'stderr' | 'systemerr';
const KINDS: StreamKind[] = ['stdin', 'stdout', 'stderr', 'systemerr'];

/** Reassembles frames from arbitrarily split chunks. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (kind: StreamKind, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const kind = KINDS[this.pending[0]!];
      if (!kind) throw new Error(`Unrecognized input header: ${this.pending[0]}`);
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      this.onFrame(kind, this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
  }

  /** Bytes of an unfinished frame left at the end of the stream. */
  get leftover(): number {
    return this.pending.length;
  }
}

/** Copies a multiplexed stream to stdout/stderr; rejects with the daemon's message on a system-error frame. */
export async function demultiplex(source: AsyncIterable<Buffer | string>, stdout: Writable, stderr: Writable): Promise<void> {
  let systemError: string | undefined;
  const writes: Promise<void>[] = [];
  const decoder = new FrameDecoder((kind, payload) => {
    if (kind === 'systemerr') systemError = (systemError ?? '') + payload.toString('utf8');
    else if (kind === 'stdout' || kind === 'stderr') writes.push(writeAll(kind === 'stdout' ? stdout : stderr, payload));
  });
  for await (const chunk of source) {
    decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (writes.length > 16) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  if (systemError !== undefined) throw new Error(systemError.trim());
}

/** Writes a chunk and waits for the destination to drain when it asks us to (backpressure). */
export function writeAll(dest: Writable, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = dest.write(data, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else dest.once('drain', resolve);
  });
}
