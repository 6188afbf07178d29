import type { Readable } from 'node:stream';
import { IMPORT_LIMITS } from '../../common/archive/limits.js';
import { ingestLayer, storeImage, type ImageStoreParts } from './image-archive-layers.js';
import { applyChanges } from './image-config-changes.js';
import { hostPlatform, parsePlatform } from './platform.js';
import { parseNormalizedNamed, referenceString, tagNameOnly } from './reference.js';

// `docker import`: a root filesystem tarball (plain, gzip or zstd) becomes a one-layer image,
// bounded as a tar bomb would not be.

export interface ImportOptions {
  repo?: string;
  tag?: string;
  message?: string;
  changes?: string[];
  platform?: string;
}

export async function importImage(s: ImageStoreParts, body: AsyncIterable<Buffer> | Readable, o: ImportOptions): Promise<{ id: string }> {
  let target: string | undefined;
  if (o.repo) {
    const ref = parseNormalizedNamed(o.repo);
    target = referenceString(tagNameOnly(o.tag ? { ...ref, tag: o.tag } : ref));
  }
  const config = applyChanges({}, o.changes ?? []);
  const layer = await ingestLayer(s, body, null, undefined, IMPORT_LIMITS);
  const platform = o.platform ? parsePlatform(o.platform) : hostPlatform();
  const created = new Date().toISOString();
  const doc = {
    architecture: platform.architecture,
    ...(o.message ? { comment: o.message } : {}),
    config,
    created,
    history: [{ created, created_by: '', comment: o.message || 'Imported from -' }],
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
  };
  const row = storeImage(s, Buffer.from(JSON.stringify(doc)), [layer], target ? [target] : []);
  return { id: row.id };
}
