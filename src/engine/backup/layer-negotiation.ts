import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { spoolUncompressedLayer, type ImageStoreParts } from '../images/image-archive-layers.js';
import { layerCompression } from '../images/media-types.js';
import type { ImageLayerRef } from '../../store/image-repository.js';

// Migrate's layer negotiation: the source asks which image layers (by diff ID, as in an image's
// RootFS.Layers) the destination has and leaves their blobs out of the archive; the restore there
// writes them back from its own store before loading the image.

export const MAX_NEGOTIATED_LAYERS = 1000;

export interface LayerSource {
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

export function storeLayerSource(s: ImageStoreParts): LayerSource {
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
