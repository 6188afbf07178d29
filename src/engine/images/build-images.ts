import { sha256Digest } from './content-store.js';
import { storeImage } from './image-archive-layers.js';
import type { ContainerConfig } from './image-config-changes.js';
import type { ImageStore } from './image-store.js';
import type { ImageRecord } from './image-views.js';

// The images a build stores without running a container: FROM scratch, and the steps that only
// change the config (ENV, LABEL, CMD, ...), each a child of the previous step's image.

/**
 * FROM scratch: an image without layers or history, stored (once: its id is its config's digest)
 * so that the first step can create a container of it and a rebuild finds its children.
 */
export function scratchImage(store: ImageStore): string {
  const config = { architecture: process.arch === 'x64' ? 'amd64' : process.arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {}, history: [] };
  const bytes = Buffer.from(JSON.stringify(config));
  const id = sha256Digest(bytes);
  if (!store.repo.get(id)) storeImage(store, bytes, [], []);
  return id;
}

/** A child of `parent` with the same layers and a new config and history entry; returns its id. */
export function storeConfigOnly(store: ImageStore, parent: ImageRecord, config: ContainerConfig, createdBy: string, author?: string): string {
  const layers = store.repo.get(parent.id)!.layers;
  const pc = parent.config;
  const created = new Date().toISOString();
  const doc: Record<string, unknown> = {
    ...pc,
    config,
    created,
    history: [...(pc.history ?? []), { created, ...(author ? { author } : {}), created_by: createdBy, empty_layer: true }],
  };
  // As dockerd's child images: the author is the stage's MAINTAINER, never the parent's.
  if (author) doc.author = author;
  else delete doc.author;
  delete doc.container;
  delete doc.container_config;
  return storeImage(store, Buffer.from(JSON.stringify(doc)), layers, [], parent.id).id;
}
