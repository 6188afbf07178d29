import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { Db } from '../../store/database.js';
import { ImageRepository } from '../../store/image-repository.js';
import { LayerStore } from '../snapshots/layer-store.js';
import { ContentStore } from './content-store.js';
import type { ImageStoreParts } from './image-archive-layers.js';
import { toRecord, type ImageRecord } from './image-views.js';

// The image store's parts in one place: the image table, the blobs and the unpacked layers. Only
// the image service and the engine's image modules hold it; callers outside use the service.

export interface ImageStoreOptions {
  db: Db;
  paths: BerthPaths;
  logger: Logger;
}

/** One layer of an image as the snapshotter mounts it: its chain ID and short link, if unpacked. */
export interface ImageLayerLink {
  chainId: string;
  short: string | undefined;
}

export class ImageStore implements ImageStoreParts {
  readonly repo: ImageRepository;
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly paths: BerthPaths;
  readonly logger: Logger;

  constructor(opts: ImageStoreOptions) {
    this.paths = opts.paths;
    this.logger = opts.logger;
    this.repo = new ImageRepository(opts.db);
    this.content = new ContentStore(opts.paths);
    this.layers = new LayerStore(opts.paths, this.repo, opts.logger);
  }

  /** The image with its tags and digests, or undefined. */
  find(id: string): ImageRecord | undefined {
    const row = this.repo.get(id);
    return row ? toRecord(row, this.repo.tagsOf(id), this.repo.digestsOf(id)) : undefined;
  }

  /** Every image with its tags and digests. */
  records(): ImageRecord[] {
    return this.repo.all().map((row) => toRecord(row, this.repo.tagsOf(row.id), this.repo.digestsOf(row.id)));
  }

  /** The image's layers bottom first, or undefined when there is no such image. */
  layerLinks(imageId: string): ImageLayerLink[] | undefined {
    const row = this.repo.get(imageId);
    return row?.layers.map((l) => ({ chainId: l.chainId, short: this.repo.getLayer(l.chainId)?.short }));
  }

  /** Every unpacked layer once, however many images share it: what the overlay dirs hold. */
  layersSize(): number {
    return this.repo.allLayers().reduce((sum, l) => sum + l.size, 0);
  }
}
