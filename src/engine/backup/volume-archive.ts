import type { Readable } from 'node:stream';
import type { VolumeService } from '../volumes/volume-service.js';
import { extractTo } from './tree-extract.js';
import { treeTarStream } from './tree-pack.js';
import { maybeDecompress } from './zstd-stream.js';

// `volume export` / `volume import`, as Podman names them: the volume's _data as a PAX tar.

/** A tar stream of the volume's contents (plain tar, as `podman volume export` writes). */
export function exportVolume(volumes: VolumeService, name: string): Readable {
  volumes.get(name);
  return treeTarStream(volumes.path(name));
}

/** Extracts a tar (plain or zstd) into the existing volume, over what it holds. */
export async function importVolume(volumes: VolumeService, name: string, body: Readable): Promise<void> {
  volumes.get(name);
  await extractTo(volumes.path(name), await maybeDecompress(body), { devices: true });
}
