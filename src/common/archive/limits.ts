// Bounds on what one archive may hold, per entry point. A tar bomb (millions of entries, or files
// that inflate to terabytes) is refused once it passes them, before the disk fills. The values are
// generous: far beyond any real image, rootfs or build context.

export interface ArchiveLimits {
  /** Entries (files, directories, links ...). */
  entries: number;
  /** Bytes of file content, as the headers declare them (checked before anything is written). */
  bytes: number;
}

const GiB = 1024 ** 3;

export const UNLIMITED: ArchiveLimits = {
  entries: Number.POSITIVE_INFINITY,
  bytes: Number.POSITIVE_INFINITY,
};

/** `docker load`: a docker-archive or OCI layout holds a few files per layer. */
export const LOAD_LIMITS: ArchiveLimits = { entries: 100_000, bytes: 256 * GiB };
/** `docker import`: one root filesystem. */
export const IMPORT_LIMITS: ArchiveLimits = { entries: 1_000_000, bytes: 256 * GiB };
/** A build context, and each archive ADD extracts. */
export const BUILD_CONTEXT_LIMITS: ArchiveLimits = { entries: 1_000_000, bytes: 64 * GiB };
/** A backup or a volume archive: whole volumes, so ten times a root filesystem. */
export const BACKUP_LIMITS: ArchiveLimits = { entries: 10_000_000, bytes: 4096 * GiB };
