import { rmSync } from 'node:fs';
import { ConflictError } from '../../common/errors.js';
import { createdBefore, filterBool, matchLabels, validateFilters, type FilterArgs } from '../../common/filters.js';
import { shortId } from '../../common/ids.js';
import { isIdReference } from './image-lookup.js';
import type { ImageStore } from './image-store.js';
import { createdSeconds, type ImageRecord } from './image-views.js';
import { familiarize, fullName, parseNormalizedNamed, parseReference, referenceString, tagNameOnly } from './reference.js';

// `docker rmi` and `docker image prune`: untagging, the conflicts dockerd refuses, and deleting an
// image with the layers and blobs no other image shares.

/** A container that uses an image, as the container service reports it. */
export interface ImageUser {
  id: string;
  running: boolean;
}

/** `true` (or the container) when some container uses the image. */
export type ImageUsage = (imageId: string) => boolean | ImageUser | undefined;

export interface DeleteRecord {
  Untagged?: string;
  Deleted?: string;
}

export interface ImageRemoveContext {
  store: ImageStore;
  getImage(ref: string): ImageRecord;
  emit(action: string, id: string, name?: string): void;
  /** Sweeps what interrupted pulls left (a prune reclaims it too). */
  removeLeftovers(): void;
}

const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'];

function user(u: boolean | ImageUser | undefined): ImageUser | undefined {
  if (!u) return undefined;
  return u === true ? { id: '', running: false } : u;
}

export class ImageRemover {
  constructor(private readonly c: ImageRemoveContext) {}

  private get repo(): ImageStore['repo'] {
    return this.c.store.repo;
  }

  private refs(id: string): string[] {
    return [...this.repo.tagsOf(id), ...this.repo.digestsOf(id)];
  }

  /** Removes a reference or an image, as `docker rmi` does. */
  remove(refOrId: string, opts: { force?: boolean; noprune?: boolean }, isUsedByContainer: ImageUsage): DeleteRecord[] {
    const img = this.c.getImage(refOrId);
    const records: DeleteRecord[] = [];
    const usedBy = user(isUsedByContainer(img.id));
    if (!isIdReference(this.repo, refOrId, img.id)) {
      if (!this.removeReference(refOrId, img, usedBy, !!opts.force, records)) return records;
    } else {
      this.checkDeleteById(img, usedBy, !!opts.force);
      for (const r of this.refs(img.id)) this.untag(r, img.id, records);
    }
    if (usedBy) {
      // A container still uses it: the references are gone, the image stays (Docker does the same).
      return records;
    }
    this.deleteImage(img, records);
    if (!opts.noprune) this.pruneParents(img, isUsedByContainer, records);
    return records;
  }

  /** Untags one reference; true when the image itself should go as well. */
  private removeReference(refOrId: string, img: ImageRecord, usedBy: ImageUser | undefined, force: boolean, records: DeleteRecord[]): boolean {
    const ref = parseNormalizedNamed(refOrId);
    const normalized = ref.digest ? `${fullName(ref)}@${ref.digest}` : referenceString(tagNameOnly(ref));
    // Tags and digests of one repository count as a single reference (moby's isSingleReference).
    const repos = new Set(this.refs(img.id).map((r) => fullName(parseReference(r))));
    if (repos.size <= 1 && usedBy && !force) {
      throw new ConflictError(
        `conflict: unable to remove repository reference "${refOrId}" (must force) - container ${shortId(usedBy.id)} is using its referenced image ${shortId(img.id)}`,
      );
    }
    this.untag(normalized, img.id, records);
    // The last tag of a repository also takes that repository's digest references with it.
    const name = fullName(ref);
    const left = this.refs(img.id);
    if (!ref.digest && !left.some((r) => r.startsWith(`${name}:`))) {
      for (const d of left.filter((r) => r.startsWith(`${name}@`))) this.untag(d, img.id, records);
    }
    if (this.refs(img.id).length > 0) return false;
    // Untagged but still the parent of other images: it stays, as in dockerd.
    return this.repo.childrenOf(img.id).length === 0;
  }

  /** The conflicts dockerd reports for `rmi <id>`. */
  private checkDeleteById(img: ImageRecord, usedBy: ImageUser | undefined, force: boolean): void {
    const repos = new Set(this.refs(img.id).map((r) => fullName(parseReference(r))));
    if (repos.size > 1 && !force) {
      throw new ConflictError(`conflict: unable to delete ${shortId(img.id)} (must be forced) - image is referenced in multiple repositories`);
    }
    if (this.repo.childrenOf(img.id).length > 0) {
      throw new ConflictError(`conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image has dependent child images`);
    }
    if (usedBy && !force) {
      throw new ConflictError(
        `conflict: unable to delete ${shortId(img.id)} (must be forced) - image is being used by ${usedBy.running ? 'running' : 'stopped'} container ${shortId(usedBy.id)}`,
      );
    }
    if (usedBy?.running) {
      throw new ConflictError(`conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image is being used by running container ${shortId(usedBy.id)}`);
    }
  }

  /** After a delete, the untagged parents left without children and containers go too (dockerd's prune of parents). */
  private pruneParents(img: ImageRecord, isUsedByContainer: ImageUsage, records: DeleteRecord[]): void {
    let parentId = img.parent;
    while (parentId) {
      const parent = this.c.store.find(parentId);
      if (!parent) return;
      if (parent.repoTags.length || parent.repoDigests.length || this.repo.childrenOf(parent.id).length || isUsedByContainer(parent.id)) return;
      this.deleteImage(parent, records);
      parentId = parent.parent;
    }
  }

  private untag(ref: string, imageId: string, records: DeleteRecord[]): void {
    const removed = ref.includes('@') ? this.repo.removeDigest(ref) : this.repo.removeTag(ref);
    if (!removed) return;
    records.push({ Untagged: familiarize(ref) });
    this.c.emit('untag', imageId, '');
  }

  private deleteImage(img: ImageRecord, records: DeleteRecord[]): void {
    const { repo, layers, content } = this.c.store;
    repo.remove(img.id);
    records.push({ Deleted: img.id });
    this.c.emit('delete', img.id, '');
    // Layers no other image shares go too, top first, with their blobs.
    for (let i = img.layers.length - 1; i >= 0; i--) {
      const l = img.layers[i]!;
      if (repo.layerInUse(l.chainId)) continue;
      layers.remove(l.chainId);
      rmSync(content.path(l.digest), { force: true });
      records.push({ Deleted: l.chainId });
    }
    rmSync(content.path(img.id), { force: true });
  }

  /** Deletes dangling images (or, with dangling=false, every image no container uses). */
  prune(opts: { filters?: FilterArgs }, isUsedByContainer: ImageUsage): { ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number } {
    const f = opts.filters ?? {};
    validateFilters(f, PRUNE_FILTERS);
    const onlyDangling = filterBool(f, 'dangling') ?? true;
    const deleted: DeleteRecord[] = [];
    let reclaimed = 0;
    for (const img of this.c.store.records()) {
      if (onlyDangling && img.repoTags.length > 0) continue;
      if (isUsedByContainer(img.id)) continue;
      if (this.repo.childrenOf(img.id).length > 0) continue; // a parent goes once its children have
      if (!createdBefore(f, createdSeconds(img) * 1000)) continue;
      if (!matchLabels(f, img.config.config?.Labels ?? {})) continue;
      for (const r of [...img.repoTags, ...img.repoDigests]) this.untag(r, img.id, deleted);
      const before = deleted.length;
      this.deleteImage(img, deleted);
      if (deleted.length > before) reclaimed += img.size;
    }
    this.c.removeLeftovers();
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }
}
