import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { SystemError } from '../../common/errors.js';

// zstd through the zstd binary: several times faster than any JavaScript codec, and what
// `tar -c | zstd` (the yardstick) uses too. The output stream fails if zstd does.

/** The zstd flags of a backup: also those of `tar -c | zstd`, the bench's yardstick. */
export const ZSTD_LEVEL = 3;

export interface CompressOptions {
  level?: number;
  /** Called with each input chunk once zstd has it (a slab pool takes it back). */
  release?: (chunk: Buffer) => void;
}

/**
 * Writes `input` into zstd's stdin by hand rather than through pipe(): the callback of each write
 * says when its buffer may be reused, and the source is only pulled while zstd keeps up.
 */
async function pump(input: AsyncIterable<Buffer>, stdin: Writable, stopped: () => boolean, release?: (chunk: Buffer) => void): Promise<void> {
  for await (const chunk of input) {
    if (stopped()) return;
    const ok = stdin.write(chunk, (err) => {
      if (!err) release?.(chunk);
    });
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stdin.off('drain', done);
          stdin.off('close', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
      });
      if (stopped()) return;
    }
  }
  stdin.end();
}

export function zstdCompress(input: AsyncIterable<Buffer>, o: CompressOptions = {}): Readable {
  const child = spawn('zstd', ['-q', '-c', `-${o.level ?? ZSTD_LEVEL}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  // zstd's output goes on as read. Joined into fresh 1 MiB buffers, it made V8 run a full
  // collection every 15 MiB or so (a third of berthd's CPU); the CLI gathers its writes itself.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let stderr = '';
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    child.kill('SIGKILL');
    out.destroy(err);
  };
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => fail(new SystemError(`zstd: ${err.message}`)));
  child.stdin.on('error', () => undefined);
  // A failed or abandoned backup stops pulling the source, which runs its finally blocks (resume).
  pump(input, child.stdin, () => failed || child.stdin.destroyed, o.release).catch((err: Error) => fail(err));
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else fail(new SystemError(`zstd: ${stderr.trim().replace(/^zstd: /, '') || `exit ${code}`}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) fail(new SystemError('zstd: output closed'));
  });
  return out;
}
