import type { Readable } from 'node:stream';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { extractTar } from './extract.js';
import { UNLIMITED, type ArchiveLimits } from './limits.js';

// Extracts a tar into an existing tree (PUT /containers/{id}/archive, ADD, docker cp to the local
// disk) through the one extractor. Every entry's parent is resolved by the target with symlinks
// evaluated inside the container root, none the archive itself wrote is ever passed through, and
// the entry itself is never written through a symlink.

export interface UnpackTarget {
  /** Host path of a container path, every symlink followed inside the container's root. */
  resolve(containerPath: string): string;
}

export interface UnpackOptions {
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry instead of the archive's (Docker's copyUIDGID). */
  chown?: { uid: number; gid: number };
  /** Leave owners as the extracting user (the CLI copying out of a container). */
  noLchown?: boolean;
  /** Renames the archive's top entry (docker cp to a new name). */
  rename?: { from: string; to: string };
  limits?: ArchiveLimits;
}

function writeError(err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EROFS') return new InvalidArgumentError('container rootfs is marked read-only');
  return err as Error;
}

/** Extracts `body` (plain, gzip or zstd) under the container directory `dest` (already checked to be a directory). */
export async function unpackInto(target: UnpackTarget, dest: string, body: Readable, o: UnpackOptions): Promise<void> {
  const destHost = target.resolve(dest);
  await extractTar(body, destHost, {
    label: 'archive',
    whiteouts: false,
    devices: true,
    xattrs: false,
    owner: o.noLchown ? 'keep' : (o.chown ?? 'archive'),
    noOverwriteDirNonDir: o.noOverwriteDirNonDir,
    limits: o.limits ?? UNLIMITED,
    resolveDir: (rel) => (rel === '' ? destHost : target.resolve(posix.join(dest, rel))),
    rename: o.rename,
    destName: dest,
    mapError: writeError,
  });
}
