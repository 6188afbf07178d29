import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { InvalidArgumentError, SystemError } from '../errors.js';

// zstd -d as a stream: a JavaScript decoder (fzstd) spent three times the CPU of the writes of a
// 1 GiB restore, and the zstd binary is what backups are written with anyway. Corrupt or cut
// input is the client's fault (an InvalidArgumentError, in Go's words for a cut stream).

function refusal(stderr: string, code: number | null): InvalidArgumentError {
  const why = stderr.trim().split('\n').pop()?.replace(/^zstd: /, '').replace(/^\/\*stdin\*\\: /, '') ?? '';
  if (/end of file|premature end|truncated/i.test(why)) return new InvalidArgumentError('unexpected EOF');
  return new InvalidArgumentError(`zstd: ${why || `exit ${code}`}`);
}

export class ZstdDecompress extends Duplex {
  private readonly child = spawn('zstd', ['-q', '-d', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  private stderr = '';

  constructor() {
    super({ readableHighWaterMark: 1 << 20, writableHighWaterMark: 1 << 20 });
    const { child } = this;
    child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString();
    });
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => {
      if (!this.push(d)) child.stdout.pause();
    });
    child.on('error', (err) => this.destroy(new SystemError(`zstd: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) this.push(null);
      else this.destroy(refusal(this.stderr, code));
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    // A failed write means zstd is gone: its exit status tells why.
    this.child.stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end();
    cb();
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    cb(err);
  }
}
