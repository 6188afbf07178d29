import type { Readable } from 'node:stream';
import type { VolumeService } from '../volumes/volume-service.js';
import { extractTar } from '../../common/archive/extract.js';
import { followSymlinkInScope } from '../volumes/scoped-path.js';
import { BACKUP_EXTRACT } from './backup-extract.js';
import { treeTarStream } from './tree-pack.js';

// `volume export` / `volume import`, as Podman names them: the volume's _data as a PAX tar.

/** A tar stream of the volume's contents (plain tar, as `podman volume export` writes). */
export function exportVolume(volumes: VolumeService, name: string): Readable {
  volumes.get(name);
  return treeTarStream(volumes.path(name));
}

/**
 * Extracts a tar (plain, gzip or zstd) into the existing volume, over what it holds. Its
 * directories are resolved with symlinks evaluated inside the volume, as for PUT archive.
 */
export async function importVolume(volumes: VolumeService, name: string, body: Readable, limits = BACKUP_EXTRACT.limits): Promise<void> {
  volumes.get(name);
  const root = volumes.path(name);
  await extractTar(body, root, { ...BACKUP_EXTRACT, limits, rootMeta: true, resolveDir: (rel) => (rel === '' ? root : followSymlinkInScope(root, `/${rel}`)) });
}
