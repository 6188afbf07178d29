import type { ContainerConfig } from '../images/image-config-changes.js';
import type { ImageRecord } from '../images/image-views.js';
import type { BuilderImages, BuildOptions, BuildState } from './build-types.js';

// The classic builder's cache: a step is reused when a child of its parent image was made by the
// same command (history's created_by) and has the same config.

/** With cache_from: the given images and their parents, the only ones whose children count; otherwise undefined (all do). */
export function cacheSources(images: BuilderImages, o: BuildOptions): Set<string> | undefined {
  if (!o.cacheFrom?.length) return undefined;
  const ids = new Set<string>();
  for (const ref of o.cacheFrom) {
    // An unknown cache source is no source, as in Docker.
    let img = lookup(images, ref);
    while (img) {
      ids.add(img.id);
      const parent: string | null | undefined = img.parent;
      img = parent ? lookup(images, parent) : undefined;
    }
  }
  return ids;
}

function lookup(images: BuilderImages, ref: string): ImageRecord | undefined {
  try {
    return images.getImage(ref);
  } catch {
    return undefined;
  }
}

/** The child of `parent` that this step would make, if one is there and may be used. */
export function cachedChild(b: BuildState, parent: ImageRecord, createdBy: string, config: ContainerConfig): ImageRecord | undefined {
  if (b.o.noCache) return undefined;
  const want = JSON.stringify(normalise(config));
  for (const id of b.d.images.childrenOf(parent.id)) {
    const child = lookup(b.d.images, id);
    if (!child) continue;
    if (b.cacheScope && !b.cacheScope.has(child.id)) continue;
    if (child.config.history?.at(-1)?.created_by !== createdBy) continue;
    if (JSON.stringify(normalise(child.config.config ?? {})) !== want) continue;
    return child;
  }
  return undefined;
}

/** Keys whose absence and emptiness mean the same, so a cached config compares equal. */
export function normalise(c: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c) as [string, unknown][]) {
    if (v === null || v === undefined || v === '' || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
