import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { SystemError } from '../../common/errors.js';
import { extractTar } from '../../common/archive/extract.js';
import { UNLIMITED, type ArchiveLimits } from '../../common/archive/limits.js';
import { layerCompression } from '../images/media-types.js';

// Streams one layer (gzip, zstd or plain tar) into a directory through the one tar extractor, as
// an overlayfs diff, verifying the digest of the uncompressed tar (diff ID) and, when asked, of
// the compressed bytes. On any failure the directory is removed, so a caller renames it into
// place only after success.

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
  /** Bounds on the layer's entries and bytes (import); pulled layers are not bounded. */
  limits?: ArchiveLimits;
}

export interface UnpackResult {
  /** Bytes of file content unpacked. */
  size: number;
}

/** Reads `source` to the end and unpacks it into `opts.target`; removes the target on failure. */
export async function unpackLayer(source: AsyncIterable<Buffer>, opts: UnpackOptions): Promise<UnpackResult> {
  mkdirSync(opts.target, { mode: 0o755 });
  const compressedHash = opts.digest ? createHash('sha256') : undefined;
  const diffHash = createHash('sha256');
  const kind = layerCompression(opts.mediaType);
  let consumed = 0;

  async function* compressed(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      compressedHash?.update(chunk);
      consumed += chunk.length;
      opts.onProgress?.(consumed);
      yield chunk;
    }
  }

  try {
    const { size } = await extractTar(
      compressed(),
      opts.target,
      {
        label: 'layer',
        whiteouts: true,
        devices: true,
        xattrs: true,
        owner: 'archive',
        noOverwriteDirNonDir: false,
        limits: opts.limits ?? UNLIMITED,
      },
      {
        compression: kind === 'unknown' ? undefined : kind,
        tap: (c) => diffHash.update(c),
        verify: async () => {
          const diffId = 'sha256:' + diffHash.digest('hex');
          if (diffId !== opts.diffId)
            throw new SystemError(`layer diff ID mismatch: expected ${opts.diffId}, got ${diffId}`);
          if (compressedHash) {
            const digest = 'sha256:' + compressedHash.digest('hex');
            if (digest !== opts.digest)
              throw new SystemError(`filesystem layer verification failed for digest ${opts.digest}`);
          }
        },
      },
    );
    return { size };
  } catch (err) {
    rmSync(opts.target, { recursive: true, force: true });
    throw err;
  }
}
