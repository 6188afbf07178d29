import { InvalidArgumentError } from '../errors.js';
import type { ArchiveLimits } from './limits.js';

// What a caller of the tar extractor decides: which entry kinds are written, whose owners, how
// an existing tree is entered; and the records the extractor keeps while it writes.

export interface ExtractPolicy {
  /** 'layer' or 'archive': how errors name what is extracted. */
  label: string;
  /** Overlay whiteouts (.wh.*) become 0/0 character devices and opaque xattrs (layer diffs). */
  whiteouts: boolean;
  /** Device nodes and fifos are created (layers, PUT archive, build contexts, as dockerd does) or skipped. */
  devices: boolean;
  /** SCHILY.xattr.* records are applied. */
  xattrs: boolean;
  /** Owners: the archive's, one for every entry (COPY --chown), or left as the extracting user's. */
  owner: 'archive' | 'keep' | { uid: number; gid: number };
  /** PUT archive's noOverwriteDirNonDir: refuse to replace a directory by a non-directory and back. */
  noOverwriteDirNonDir: boolean;
  limits: ArchiveLimits;
  /**
   * Existing trees (a container): the host path of the directory `rel` (relative to the
   * destination), every symlink of the tree evaluated inside its root. Without it, the
   * destination is an empty directory only this extraction writes (layers, scratch dirs).
   */
  resolveDir?: (rel: string) => string;
  /** An existing tree's own top directory takes the archive's owner, mode, time and xattrs (volume import). */
  rootMeta?: boolean;
  /** Renames the archive's top entry (docker cp to a new name). */
  rename?: { from: string; to: string };
  /** How errors show a destination path: the container directory extracted into. */
  destName?: string;
  /** Maps a write error to the caller's (e.g. EROFS to "read-only"). */
  mapError?: (err: unknown) => Error;
}

export interface Meta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

/** A device node, fifo or whiteout, made at the end (mknod runs once per node). */
export interface SpecialNode extends Meta {
  host: string;
  kind: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  /** A hard link to this deferred node (by its relative path), made once the node is. */
  linkOf?: { rel: string; node: SpecialNode };
}

/** The error for a malformed or hostile entry, naming it (cut to 300 characters). */
export function entryError(policy: ExtractPolicy, name: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid ${policy.label}: ${JSON.stringify(name.slice(0, 300))} ${why}`);
}
