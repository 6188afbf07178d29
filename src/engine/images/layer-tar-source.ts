import { copyFileSync, renameSync, rmSync } from 'node:fs';
import type { ImageLayerRef } from '../../store/image-repository.js';
import { spoolUncompressedLayer, type ImageStoreParts } from './image-archive-layers.js';
import { layerCompression } from './media-types.js';

// The layers this store can hand back as uncompressed tars, by diff ID: what a restore takes from
// the local store when migrate left a layer the destination already had out of the archive.

export interface LayerTarSource {
  /** The diff IDs among `diffIds` whose layer this daemon can give back as a tar. */
  have(diffIds: string[]): string[];
  /** Writes the uncompressed tar of a layer this daemon has to `file` (its diff ID is checked). */
  writeLayer(diffId: string, file: string): Promise<void>;
}

/** The stored layer of that content whose blob is here in a form `save` reads (not zstd). */
function storedBlob(s: ImageStoreParts, diffId: string): ImageLayerRef | undefined {
  for (const row of s.repo.all()) {
    const hit = row.layers.find((l) => l.diffId === diffId && layerCompression(l.mediaType) !== 'zstd' && s.content.has(l.digest));
    if (hit) return hit;
  }
  return undefined;
}

export function storeLayerSource(s: ImageStoreParts): LayerTarSource {
  return {
    have: (diffIds) => [...new Set(diffIds)].filter((d) => storedBlob(s, d) !== undefined),
    writeLayer: async (diffId, file) => {
      const layer = storedBlob(s, diffId);
      if (!layer) throw new Error(`layer ${diffId} is not here`);
      const spooled = await spoolUncompressedLayer(s, layer);
      try {
        renameSync(spooled.file, file);
      } catch {
        // Another filesystem than the data-root's scratch space.
        copyFileSync(spooled.file, file);
      } finally {
        rmSync(spooled.file, { force: true });
      }
    },
  };
}
