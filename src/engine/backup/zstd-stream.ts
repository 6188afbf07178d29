import { spawn } from 'node:child_process';
import { Transform, type Readable } from 'node:stream';
import { SystemError } from '../../common/errors.js';

// zstd through the zstd binary: several times faster than any JavaScript codec, and what
// `tar -c | zstd` (the yardstick) uses too. The output stream fails if zstd does.

const COALESCE = 1 << 20;

/**
 * zstd's output comes in 64 KiB reads: joined into 1 MiB writes, the HTTP response (and the
 * client writing the file) make a sixteenth of the calls.
 */
function coalescing(): Transform {
  let parts: Buffer[] = [];
  let size = 0;
  const join = (): Buffer => {
    const b = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    return b;
  };
  return new Transform({
    highWaterMark: COALESCE,
    transform(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      size += chunk.length;
      cb(null, size >= COALESCE ? join() : undefined);
    },
    flush(cb) {
      cb(null, size ? join() : undefined);
    },
  });
}

function throughZstd(input: Readable, args: string[]): Readable {
  const child = spawn('zstd', ['-q', '-c', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = coalescing();
  let stderr = '';
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    input.destroy();
    child.kill('SIGKILL');
    out.destroy(err);
  };
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => fail(new SystemError(`zstd: ${err.message}`)));
  input.on('error', (err) => fail(err));
  child.stdin.on('error', () => undefined);
  input.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else fail(new SystemError(`zstd: ${stderr.trim().replace(/^zstd: /, '') || `exit ${code}`}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) {
      input.destroy();
      child.kill('SIGKILL');
    }
  });
  return out;
}

export function zstdCompress(input: Readable, level = 3): Readable {
  return throughZstd(input, [`-${level}`]);
}
