import { createHash } from 'node:crypto';
import { NotFoundError } from '../../../common/errors.js';
import type { ContainerConfig } from '../../images/image-config-changes.js';
import type { ImageRecord } from '../../images/image-views.js';
import type { BuilderImages } from '../build-types.js';
import { copyTree, newId, treeOf, type FakeTree } from './fake-tree.js';

// The image store as a map: each image a record and a file tree; parents make the build cache.

export class FakeImages implements BuilderImages {
  readonly records = new Map<string, ImageRecord>();
  readonly files = new Map<string, FakeTree>();
  readonly tags = new Map<string, string>();
  /** Images a pull finds, by reference. */
  readonly remote = new Map<string, { config: ContainerConfig; files?: Record<string, string> }>();
  readonly pulls: string[] = [];
  private scratchId?: string;

  /** Stores a base image under `ref`. */
  add(ref: string, config: ContainerConfig, files: Record<string, string> = {}): ImageRecord {
    const img = this.store({ config: { config, history: [{ created_by: `base ${ref}` }] }, layers: [layer(ref)] }, treeOf(files));
    this.tags.set(ref, img.id);
    return img;
  }

  store(part: Pick<ImageRecord, 'config' | 'layers'> & { parent?: string }, files: FakeTree): ImageRecord {
    const id = newId(JSON.stringify(part.config));
    const rec: ImageRecord = { id, config: part.config, layers: part.layers, parent: part.parent ?? null, repoTags: [], repoDigests: [], size: 0, created: 0 };
    this.records.set(id, rec);
    this.files.set(id, files);
    return rec;
  }

  getImage(ref: string): ImageRecord {
    const rec = this.records.get(this.tags.get(ref) ?? ref);
    if (!rec) throw new NotFoundError(`No such image: ${ref}`);
    return rec;
  }

  async pull(ref: string): Promise<ImageRecord> {
    this.pulls.push(ref);
    const r = this.remote.get(ref);
    if (!r) throw new NotFoundError(`pull access denied for ${ref}`);
    return this.add(ref, r.config, r.files);
  }

  tag(id: string, ref: string): void {
    this.tags.set(ref, id);
  }

  childrenOf(id: string): string[] {
    return [...this.records.values()].filter((r) => r.parent === id).map((r) => r.id);
  }

  scratch(): ImageRecord {
    this.scratchId ??= this.store({ config: { config: {}, history: [] }, layers: [] }, new Map()).id;
    return this.getImage(this.scratchId);
  }

  storeConfigOnly(parent: ImageRecord, config: ContainerConfig, createdBy: string, author?: string): string {
    const history = [...(parent.config.history ?? []), { created_by: createdBy, empty_layer: true, ...(author ? { author } : {}) }];
    return this.store({ config: { ...parent.config, config, history, author }, layers: parent.layers, parent: parent.id }, copyTree(this.files.get(parent.id)!)).id;
  }
}

function layer(seed: string): ImageRecord['layers'][number] {
  const h = createHash('sha256').update(seed).digest('hex');
  return { chainId: `sha256:${h}`, diffId: `sha256:${h}`, digest: `sha256:${h}`, size: 0 };
}

