import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { InvalidArgumentError } from '../../common/errors.js';
import { extractTar } from '../../common/archive/extract.js';
import { BUILD_CONTEXT_LIMITS } from '../../common/archive/limits.js';

// The build context (and an archive ADD extracts) is a tar, maybe compressed: dockerd tells the
// compression by its magic bytes. gzip is inflated by the tar reader itself; bzip2, xz and zstd go
// through the host's tools.

const DECOMPRESSORS: { magic: number[]; tool: string }[] = [
  { magic: [0x42, 0x5a, 0x68], tool: 'bzip2' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd' },
];

const decompressorOf = (head: Buffer) => DECOMPRESSORS.find((x) => head.length >= x.magic.length && x.magic.every((b, i) => head[i] === b));

/** Whether `head` starts as a bzip2, xz or zstd stream does. */
export const isCompressed = (head: Buffer): boolean => decompressorOf(head) !== undefined;

/** Reads the first bytes of `body` and returns it as a plain (or gzip) tar stream. */
export async function decompressContext(body: Readable): Promise<Readable> {
  const head = await readHead(body, 6);
  const whole = Readable.from(
    (async function* () {
      if (head.length) yield head;
      yield* body;
    })(),
  );
  const d = decompressorOf(head);
  if (!d) return whole;
  const child = spawn(d.tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.on('error', (err) => out.destroy(new InvalidArgumentError(`cannot decompress the build context (${d.tool}): ${err.message}`)));
  // The output ends only once the tool said it succeeded: a corrupt archive is an error, not a short tar.
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new InvalidArgumentError(`cannot decompress the build context (${d.tool}): ${stderr.trim() || `exit ${code}`}`));
  });
  // A reader that stops early (a tar error) must not leave the tool blocked on a full pipe.
  child.stdin.on('error', () => undefined);
  whole.on('error', (err) => out.destroy(err));
  whole.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  return out;
}

/** The first `n` bytes of a stream (fewer if it is shorter), leaving the rest unread in it. */
async function readHead(body: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const c = body.read() as Buffer | null;
    if (c) {
      chunks.push(c);
      size += c.length;
      if (size >= n) break;
      continue;
    }
    if (body.readableEnded || body.destroyed) break;
    const more = await new Promise<boolean>((resolve, reject) => {
      const done = () => {
        body.off('readable', ready);
        body.off('error', fail);
        resolve(false);
      };
      const ready = () => {
        body.off('end', done);
        body.off('error', fail);
        resolve(true);
      };
      const fail = (err: Error) => {
        body.off('end', done);
        body.off('readable', ready);
        reject(err);
      };
      body.once('readable', ready);
      body.once('end', done);
      body.once('error', fail);
    });
    if (!more) break;
  }
  return Buffer.concat(chunks);
}

/**
 * Extracts a build context (any compression) into the empty directory `dir` through the one
 * extractor: nothing leaves `dir`, and a tar bomb is refused at the build-context bounds.
 */
export async function extractContext(body: Readable, dir: string): Promise<void> {
  await extractTar(await decompressContext(body), dir, {
    label: 'archive',
    whiteouts: false,
    devices: true,
    xattrs: false,
    owner: 'archive',
    noOverwriteDirNonDir: false,
    limits: BUILD_CONTEXT_LIMITS,
  });
}
