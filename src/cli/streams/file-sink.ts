import { closeSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';

// A file written from a download: a socket hands over 30-60 KiB at a time, and fs.WriteStream
// makes one thread-pool round trip per piece (for a 500 MiB backup, 2 s of system time in the
// CLI). Pieces are gathered into 1 MiB and written synchronously: the CLI does nothing else meanwhile.

const GATHER = 1 << 20;

export function fileSink(path: string, mode = 0o666): Writable {
  let fd: number | undefined;
  let buf = Buffer.allocUnsafe(GATHER);
  let used = 0;
  const writeAll = (b: Buffer): void => {
    let off = 0;
    while (off < b.length) off += writeSync(fd!, b, off);
  };
  const flush = (): void => {
    if (used) writeAll(buf.subarray(0, used));
    used = 0;
  };
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return new Writable({
    highWaterMark: GATHER,
    construct(cb) {
      try {
        fd = openSync(path, 'w', mode);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    write(chunk: Buffer, _enc, cb) {
      try {
        if (chunk.length >= GATHER) {
          flush();
          writeAll(chunk);
        } else {
          if (used + chunk.length > GATHER) flush();
          chunk.copy(buf, used);
          used += chunk.length;
        }
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    final(cb) {
      try {
        flush();
        close();
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    destroy(err, cb) {
      try {
        close();
      } catch {
        // the error that destroyed the stream is the one to report
      }
      buf = Buffer.alloc(0);
      cb(err);
    },
  });
}
