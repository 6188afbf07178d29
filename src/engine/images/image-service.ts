import { storeLayerSource, type LayerTarSource } from './layer-tar-source.js';
import type { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { FilterArgs } from '../../common/filters.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { Db } from '../../store/database.js';
import { commitContainer, type CommitDeps, type CommitOptions } from '../containers/container-commit.js';
import { scratchImage, storeConfigOnly } from './build-images.js';
import { loadImages, type LoadResult } from './image-archive-load.js';
import { saveImages } from './image-archive-save.js';
import type { ContainerConfig } from './image-config-changes.js';
import { distributionInspect, registryLogin } from './image-distribution.js';
import { importImage, type ImportOptions } from './image-import.js';
import { listImages, type ImageListOptions } from './image-list.js';
import { notFoundName, resolveImageId } from './image-lookup.js';
import { pushImage } from './image-push.js';
import { ImageRemover, type DeleteRecord, type ImageUsage } from './image-remove.js';
import { ImageStore, type ImageLayerLink } from './image-store.js';
import { historyOf, inspectImage, type ImageRecord } from './image-views.js';
import { parsePlatform, type Platform } from './platform.js';
import type { JsonMessage } from './progress.js';
import { Puller, translatePullError } from './puller.js';
import { familiarName, familiarString, parseNormalizedNamed, referenceString, tagNameOnly, type ImageReference } from './reference.js';
import type { AuthConfig } from './registry-auth.js';
import { RegistryClient } from './registry-client.js';

// The image service: the one door to the image store for the API and the daemon. Each job sits
// in its own module (lookup, list, remove, archive, push, distribution); this class wires them.

/** What the image service takes of the daemon's configuration (dockerd's key names). */
export interface ImageServiceConfig {
  'insecure-registries': string[];
  'registry-mirrors': string[];
  'max-concurrent-downloads': number;
}

export type { ImageRecord } from './image-views.js';
export type { DeleteRecord, ImageUsage, ImageUser } from './image-remove.js';
export type { ImageLayerLink } from './image-store.js';

/** The event bus as images see it. */
export interface ImageEvents {
  emit(e: { Type: 'image'; Action: string; Actor: { ID: string; Attributes: Record<string, string> } }): void;
}

export interface ImageServiceOptions {
  db: Db;
  paths: BerthPaths;
  config: ImageServiceConfig;
  logger: Logger;
  events: ImageEvents;
  /** Where Docker Hub itself is, after its mirrors: tests point it at a local registry. */
  officialRegistry?: string;
}

export type ImageFilters = FilterArgs;

/** The containers a commit reads, as the container service offers them. */
export type CommitContainers = CommitDeps['containers'];

const TAG_RE = /^[\w][\w.-]{0,127}$/;

export class ImageService {
  private readonly store: ImageStore;
  private readonly registry: RegistryClient;
  private readonly remover: ImageRemover;
  private readonly paths: BerthPaths;
  private readonly logger: Logger;
  private readonly events: ImageEvents;
  private readonly config: ImageServiceConfig;
  /** Push goes to the registry named, never to a mirror: its own client, made on first push. */
  private pushRegistry: RegistryClient | undefined;

  constructor(opts: ImageServiceOptions) {
    this.paths = opts.paths;
    this.logger = opts.logger;
    this.events = opts.events;
    this.config = opts.config;
    this.store = new ImageStore(opts);
    this.registry = new RegistryClient({
      insecureRegistries: opts.config['insecure-registries'],
      mirrors: opts.config['registry-mirrors'],
      logger: opts.logger,
      officialRegistry: opts.officialRegistry,
    });
    this.remover = new ImageRemover({
      store: this.store,
      getImage: (ref) => this.getImage(ref),
      emit: (action, id, name) => this.emit(action, id, name),
      removeLeftovers: () => this.removeLeftovers({ startup: false }),
    });
  }

  /** Measures unpacked layers once more where an older data-root took their sizes from the tar. */
  remeasureLayers(): Promise<void> {
    return this.store.layers.remeasure().then(() => undefined);
  }

  async close(): Promise<void> {
    await this.registry.close();
    await this.pushRegistry?.close();
  }

  /**
   * Removes what killed pulls, loads and unpacks left on disk (partial layer directories, scratch
   * files, day-old partial downloads) and logs it. `startup` when nothing can be writing yet.
   */
  removeLeftovers(opts: { startup: boolean }): { path: string; bytes: number }[] {
    const removed = [...this.store.layers.removeLeftovers(opts), ...this.store.content.removeLeftovers(opts)];
    if (removed.length > 0) {
      const bytes = removed.reduce((a, r) => a + r.bytes, 0);
      this.logger.info({ removed: removed.map((r) => r.path), bytes }, 'removed leftovers of interrupted pulls and unpacks');
    }
    return removed;
  }

  private emit(action: string, id: string, name?: string): void {
    this.events.emit({ Type: 'image', Action: action, Actor: { ID: id, Attributes: name === undefined ? {} : { name } } });
  }

  /** Pulls an image (all tags of the repository with `allTags`), streaming Docker's progress messages. */
  async pull(
    refText: string,
    opts: { platform?: string; auth?: AuthConfig; allTags?: boolean },
    onProgress: (msg: JsonMessage) => void,
  ): Promise<ImageRecord> {
    const parsed = parseNormalizedNamed(refText);
    const platform: Platform | undefined = opts.platform ? parsePlatform(opts.platform) : undefined;
    this.removeLeftovers({ startup: false });
    const repository = this.registry.repository(parsed, opts.auth);
    let refs: ImageReference[];
    if (opts.allTags && parsed.tag === undefined && parsed.digest === undefined) {
      const tags = await repository.listTags().catch((err: unknown) => {
        throw translatePullError(err, parsed);
      });
      refs = tags.map((tag) => ({ ...parsed, tag }));
    } else {
      refs = [tagNameOnly(parsed)];
    }
    let last: ImageRecord | undefined;
    for (const ref of refs) {
      const puller = new Puller({
        content: this.store.content,
        layers: this.store.layers,
        images: this.store.repo,
        logger: this.logger,
        maxConcurrentDownloads: this.config['max-concurrent-downloads'],
      });
      const { image } = await puller.pull(ref, repository, platform, onProgress);
      this.emit('pull', familiarString(ref), familiarString(ref));
      last = this.getImage(image.id);
    }
    if (!last) throw new NotFoundError(`no tags found for ${familiarName(parsed)}`);
    return last;
  }

  /** The layers this store can give back as tars (migrate's layer negotiation). */
  layerTars(): LayerTarSource {
    return storeLayerSource(this.store);
  }

  /** Finds an image by name[:tag], name@digest, full id or unambiguous id prefix. */
  getImage(refOrId: string): ImageRecord {
    const id = resolveImageId(this.store.repo, refOrId);
    const img = id === undefined ? undefined : this.store.find(id);
    if (!img) throw new NotFoundError(`No such image: ${id === undefined ? notFoundName(refOrId) : id}`);
    return img;
  }

  list(opts: ImageListOptions = {}): Record<string, unknown>[] {
    return listImages(this.store, opts, (ref) => this.getImage(ref));
  }

  inspect(ref: string): Record<string, unknown> {
    return inspectImage(this.getImage(ref), this.paths);
  }

  history(ref: string): Record<string, unknown>[] {
    return historyOf(this.getImage(ref), (id) => {
      try {
        return this.getImage(id);
      } catch {
        return undefined;
      }
    });
  }

  /** Tags an image as repo[:tag] (tag defaults to latest). */
  tag(src: string, repo: string, tag?: string): void {
    const img = this.getImage(src);
    let target = parseNormalizedNamed(repo);
    if (target.digest) throw new InvalidArgumentError('refusing to create a tag with a digest reference');
    if (tag) {
      if (!TAG_RE.test(tag)) throw new InvalidArgumentError(`invalid tag format`);
      target = { ...target, tag };
    }
    target = tagNameOnly(target);
    this.store.repo.setTag(referenceString(target), img.id);
    this.emit('tag', img.id, familiarString(target));
  }

  /** Removes a reference or an image, as `docker rmi` does. */
  remove(refOrId: string, opts: { force?: boolean; noprune?: boolean }, isUsedByContainer: ImageUsage): DeleteRecord[] {
    return this.remover.remove(refOrId, opts, isUsedByContainer);
  }

  /** Deletes dangling images (or, with dangling=false, every image no container uses). */
  prune(opts: { filters?: ImageFilters }, isUsedByContainer: ImageUsage): { ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number } {
    const report = this.remover.prune(opts, isUsedByContainer);
    this.events.emit({ Type: 'image', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(report.SpaceReclaimed) } } });
    return report;
  }

  /** What the registry has for a reference: its descriptor and platforms (GET /distribution/{name}/json). */
  distributionInspect(refText: string, auth?: AuthConfig): Promise<Record<string, unknown>> {
    return distributionInspect(this.registry, refText, auth);
  }

  /** Checks credentials against a registry (POST /auth). */
  login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
    return registryLogin(this.registry, auth);
  }

  /** `docker save`: a docker-archive (with OCI index) of the named images, streamed. */
  save(names: string[]): Readable {
    return saveImages({ ...this.store, getImage: (ref) => this.getImage(ref) }, names);
  }

  /** `docker load`; events are the caller's (a restore loads quietly). */
  load(body: AsyncIterable<Buffer> | Readable, opts: { quiet?: boolean }, onMessage: (m: JsonMessage & { stream?: string }) => void): Promise<LoadResult> {
    return loadImages(this.store, body, opts, onMessage);
  }

  /** `docker import`: a root filesystem tarball as a one-layer image. */
  importImage(body: AsyncIterable<Buffer> | Readable, opts: ImportOptions): Promise<{ id: string }> {
    return importImage(this.store, body, opts);
  }

  /** Pushes `name` (all its tags when it has none) to its registry. */
  push(name: string, tag: string | undefined, auth: AuthConfig | undefined, onProgress: (m: JsonMessage) => void): Promise<void> {
    if (!this.pushRegistry) this.pushRegistry = new RegistryClient({ insecureRegistries: this.config['insecure-registries'], mirrors: [], logger: this.logger });
    return pushImage({ ...this.store, registry: this.pushRegistry, getImage: (ref) => this.getImage(ref) }, name, tag, auth, onProgress);
  }

  /** `docker commit`: the container's upper dir as a new layer; `events: false` for a build step. */
  commit(opts: CommitOptions, containers: CommitContainers, o: { events?: boolean } = {}): Promise<{ Id: string }> {
    const deps: CommitDeps = { ...this.store, containers, getImage: (ref) => this.getImage(ref), upperDir: (id) => this.paths.containerUpperDir(id) };
    if (o.events !== false) deps.emit = (action, id, name) => this.emit(action, id, name);
    return commitContainer(deps, opts);
  }

  /** FROM scratch's image (stored once). */
  scratch(): ImageRecord {
    return this.getImage(scratchImage(this.store));
  }

  /** A build step that only changes the config: a child image with the parent's layers; its id. */
  storeConfigOnly(parent: ImageRecord, config: ContainerConfig, createdBy: string, author?: string): string {
    return storeConfigOnly(this.store, parent, config, createdBy, author);
  }

  /** The ids of the images made from `id` (build cache lookups). */
  childrenOf(id: string): string[] {
    return this.store.repo.childrenOf(id);
  }

  /** The image's layers bottom first with their short links (the snapshotter's lowers), or undefined. */
  layerLinks(imageId: string): ImageLayerLink[] | undefined {
    return this.store.layerLinks(imageId);
  }

  /** Bytes of all unpacked layers, each once (system df's LayersSize). */
  layersSize(): number {
    return this.store.layersSize();
  }

  /** How many images there are (docker info). */
  count(): number {
    return this.store.repo.all().length;
  }
}
