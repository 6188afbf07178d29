import { rmSync } from 'node:fs';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import { shortId } from '../../common/ids.js';
import type { Db } from '../../store/database.js';
import { ImageRepository } from '../../store/image-repository.js';
import { LayerStore } from '../snapshots/layer-store.js';
import { ContentStore, sha256Digest } from './content-store.js';
import { historyOf, inspectImage, summarizeImage, toRecord, createdSeconds, type ImageRecord } from './image-views.js';
import { isIndex, type ImageIndex, type ImageManifest } from './media-types.js';
import { parsePlatform, type Platform } from './platform.js';
import type { JsonMessage } from './progress.js';
import { Puller, translatePullError } from './puller.js';
import {
  familiarName,
  familiarString,
  familiarize,
  fullName,
  looksLikeId,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  tagNameOnly,
  type ImageReference,
} from './reference.js';
import type { AuthConfig } from './registry-auth.js';
import { RegistryClient } from './registry-client.js';

/** What the image service takes of the daemon's configuration (dockerd's key names). */
export interface ImageServiceConfig {
  'insecure-registries': string[];
  'registry-mirrors': string[];
  'max-concurrent-downloads': number;
}

export type { ImageRecord } from './image-views.js';

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

/** A container that uses an image, as the container service reports it. */
export interface ImageUser {
  id: string;
  running: boolean;
}

/** `true` (or the container) when some container uses the image. */
export type ImageUsage = (imageId: string) => boolean | ImageUser | undefined;

export type ImageFilters = Record<string, string[]>;

export interface DeleteRecord {
  Untagged?: string;
  Deleted?: string;
}

const FULL_ID = /^(sha256:)?[a-f0-9]{64}$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

function user(u: boolean | ImageUser | undefined): ImageUser | undefined {
  if (!u) return undefined;
  return u === true ? { id: '', running: false } : u;
}

/** Glob match of Docker's reference filter (path.Match: * and ? do not cross `/`). */
function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`).test(text);
}

export class ImageService {
  readonly repo: ImageRepository;
  readonly content: ContentStore;
  readonly layers: LayerStore;
  private readonly registry: RegistryClient;
  private readonly paths: BerthPaths;
  private readonly logger: Logger;
  private readonly events: ImageEvents;
  private readonly config: ImageServiceConfig;

  constructor(opts: ImageServiceOptions) {
    this.paths = opts.paths;
    this.logger = opts.logger;
    this.events = opts.events;
    this.config = opts.config;
    this.repo = new ImageRepository(opts.db);
    this.content = new ContentStore(opts.paths);
    this.layers = new LayerStore(opts.paths, this.repo, opts.logger);
    this.registry = new RegistryClient({
      insecureRegistries: opts.config['insecure-registries'],
      mirrors: opts.config['registry-mirrors'],
      logger: opts.logger,
      officialRegistry: opts.officialRegistry,
    });
  }

  close(): Promise<void> {
    return this.registry.close();
  }

  /**
   * Removes what killed pulls, loads and unpacks left on disk (partial layer directories, scratch
   * files, day-old partial downloads) and logs it. `startup` when nothing can be writing yet.
   */
  removeLeftovers(opts: { startup: boolean }): { path: string; bytes: number }[] {
    const removed = [...this.layers.removeLeftovers(opts), ...this.content.removeLeftovers(opts)];
    if (removed.length > 0) {
      const bytes = removed.reduce((a, r) => a + r.bytes, 0);
      this.logger.info({ removed: removed.map((r) => r.path), bytes }, 'removed leftovers of interrupted pulls and unpacks');
    }
    return removed;
  }

  private emit(action: string, id: string, name?: string): void {
    this.events.emit({ Type: 'image', Action: action, Actor: { ID: id, Attributes: name === undefined ? {} : { name } } });
  }

  private record(id: string): ImageRecord {
    const row = this.repo.get(id);
    if (!row) throw new NotFoundError(`No such image: ${id}`);
    return toRecord(row, this.repo.tagsOf(id), this.repo.digestsOf(id));
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
        content: this.content,
        layers: this.layers,
        images: this.repo,
        logger: this.logger,
        maxConcurrentDownloads: this.config['max-concurrent-downloads'],
      });
      const { image } = await puller.pull(ref, repository, platform, onProgress);
      this.emit('pull', familiarString(ref), familiarString(ref));
      last = this.record(image.id);
    }
    if (!last) throw new NotFoundError(`no tags found for ${familiarName(parsed)}`);
    return last;
  }

  /** Finds an image by name[:tag], name@digest, full id or unambiguous id prefix. */
  getImage(refOrId: string): ImageRecord {
    const id = this.resolve(refOrId);
    if (!id) throw new NotFoundError(`No such image: ${this.notFoundName(refOrId)}`);
    return this.record(id);
  }

  private notFoundName(s: string): string {
    try {
      return familiarString(tagNameOnly(parseNormalizedNamed(s)));
    } catch {
      return s;
    }
  }

  private resolve(s: string): string | undefined {
    if (FULL_ID.test(s)) {
      const id = s.startsWith('sha256:') ? s : `sha256:${s}`;
      return this.repo.get(id) ? id : undefined;
    }
    let ref: ImageReference | undefined;
    try {
      ref = parseNormalizedNamed(s);
    } catch {
      ref = undefined;
    }
    if (ref) {
      const found = ref.digest
        ? this.repo.resolveDigest(`${fullName(ref)}@${ref.digest}`)
        : this.repo.resolveTag(referenceString(tagNameOnly(ref)));
      if (found) return found;
    }
    if (looksLikeId(s)) {
      const hits = this.repo.findByIdPrefix(s.replace(/^sha256:/, ''));
      if (hits.length === 1) return hits[0]!.id;
    }
    return undefined;
  }

  list(opts: { all?: boolean; filters?: ImageFilters; digests?: boolean; containers?: (imageId: string) => number; sharedSize?: boolean } = {}): Record<string, unknown>[] {
    const f = opts.filters ?? {};
    const known = new Set(['dangling', 'label', 'before', 'since', 'reference', 'until']);
    for (const k of Object.keys(f)) if (!known.has(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
    const dangling = f.dangling?.[0];
    if (dangling !== undefined && !['true', 'false', '1', '0'].includes(dangling)) {
      throw new InvalidArgumentError(`invalid filter 'dangling=${dangling}'`);
    }
    const before = f.before?.[0] ? createdSeconds(this.getImage(f.before[0])) : undefined;
    const since = f.since?.[0] ? createdSeconds(this.getImage(f.since[0])) : undefined;
    const out: Record<string, unknown>[] = [];
    // SharedSize (shared-size=1, and system df): the layers this image has in common with others.
    const layerUsers = new Map<string, number>();
    if (opts.sharedSize) {
      for (const row of this.repo.all()) for (const id of new Set(row.layers.map((l) => l.chainId))) layerUsers.set(id, (layerUsers.get(id) ?? 0) + 1);
    }
    for (const row of this.repo.all()) {
      const img = toRecord(row, this.repo.tagsOf(row.id), this.repo.digestsOf(row.id));
      const isDangling = img.repoTags.length === 0;
      // An untagged image that others were made from is an intermediate one: only `images -a` shows it.
      if (!opts.all && isDangling && this.repo.childrenOf(img.id).length > 0) continue;
      if (dangling === 'true' || dangling === '1') {
        if (!isDangling) continue;
      } else if (dangling === 'false' || dangling === '0') {
        if (isDangling) continue;
      }
      const created = createdSeconds(img);
      if (before !== undefined && created >= before) continue;
      if (since !== undefined && created <= since) continue;
      if (f.label?.length) {
        const labels = img.config.config?.Labels ?? {};
        const ok = f.label.every((l) => {
          const i = l.indexOf('=');
          return i === -1 ? l in labels : labels[l.slice(0, i)] === l.slice(i + 1);
        });
        if (!ok) continue;
      }
      if (f.reference?.length) {
        const matching = img.repoTags.filter((t) => {
          const r = parseReference(t);
          return f.reference!.some((p) => globMatch(p, familiarString(r)) || globMatch(p, familiarName(r)));
        });
        if (matching.length === 0) continue;
        img.repoTags = matching;
      }
      const summary = summarizeImage(img, opts.containers ? opts.containers(img.id) : -1);
      if (opts.sharedSize) summary.SharedSize = img.layers.reduce((sum, l) => sum + ((layerUsers.get(l.chainId) ?? 0) > 1 ? l.size : 0), 0);
      out.push(summary);
    }
    out.sort((a, b) => (b.Created as number) - (a.Created as number));
    return out;
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
    this.repo.setTag(referenceString(target), img.id);
    this.emit('tag', img.id, familiarString(target));
  }

  /** Removes a reference or an image, as `docker rmi` does. */
  remove(refOrId: string, opts: { force?: boolean; noprune?: boolean }, isUsedByContainer: ImageUsage): DeleteRecord[] {
    const img = this.getImage(refOrId);
    const records: DeleteRecord[] = [];
    const force = !!opts.force;
    const refs = (): string[] => [...this.repo.tagsOf(img.id), ...this.repo.digestsOf(img.id)];
    const byId = this.isIdReference(refOrId, img.id);
    const usedBy = user(isUsedByContainer(img.id));
    if (!byId) {
      const ref = parseNormalizedNamed(refOrId);
      const normalized = ref.digest ? `${fullName(ref)}@${ref.digest}` : referenceString(tagNameOnly(ref));
      // Tags and digests of one repository count as a single reference (moby's isSingleReference).
      const repos = new Set(refs().map((r) => fullName(parseReference(r))));
      if (repos.size <= 1 && usedBy && !force) {
        throw new ConflictError(
          `conflict: unable to remove repository reference "${refOrId}" (must force) - container ${shortId(usedBy.id)} is using its referenced image ${shortId(img.id)}`,
        );
      }
      this.untag(normalized, img.id, records);
      // The last tag of a repository also takes that repository's digest references with it.
      const name = fullName(ref);
      const left = refs();
      if (!ref.digest && !left.some((r) => r.startsWith(`${name}:`))) {
        for (const d of left.filter((r) => r.startsWith(`${name}@`))) this.untag(d, img.id, records);
      }
      if (refs().length > 0) return records;
      // Untagged but still the parent of other images: it stays, as in dockerd.
      if (this.repo.childrenOf(img.id).length > 0) return records;
    } else {
      const all = refs();
      const repos = new Set(all.map((r) => fullName(parseReference(r))));
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
        throw new ConflictError(
          `conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image is being used by running container ${shortId(usedBy.id)}`,
        );
      }
      for (const r of all) this.untag(r, img.id, records);
    }
    if (usedBy) {
      // A container still uses it: the references are gone, the image stays (Docker does the same).
      return records;
    }
    this.deleteImage(img, records);
    if (!opts.noprune) this.pruneParents(img, isUsedByContainer, records);
    return records;
  }

  /** After a delete, the untagged parents left without children and containers go too (dockerd's prune of parents). */
  private pruneParents(img: ImageRecord, isUsedByContainer: ImageUsage, records: DeleteRecord[]): void {
    let parentId = img.parent;
    while (parentId) {
      const row = this.repo.get(parentId);
      if (!row) return;
      const parent = toRecord(row, this.repo.tagsOf(row.id), this.repo.digestsOf(row.id));
      if (parent.repoTags.length || parent.repoDigests.length || this.repo.childrenOf(parent.id).length || isUsedByContainer(parent.id)) return;
      this.deleteImage(parent, records);
      parentId = parent.parent;
    }
  }

  private isIdReference(s: string, id: string): boolean {
    const hex = s.replace(/^sha256:/, '');
    return looksLikeId(s) && id.slice(7).startsWith(hex) && this.resolveAsRef(s) !== id;
  }

  private resolveAsRef(s: string): string | undefined {
    try {
      const ref = parseNormalizedNamed(s);
      return ref.digest ? this.repo.resolveDigest(`${fullName(ref)}@${ref.digest}`) : this.repo.resolveTag(referenceString(tagNameOnly(ref)));
    } catch {
      return undefined;
    }
  }

  private untag(ref: string, imageId: string, records: DeleteRecord[]): void {
    const removed = ref.includes('@') ? this.repo.removeDigest(ref) : this.repo.removeTag(ref);
    if (!removed) return;
    records.push({ Untagged: familiarize(ref) });
    this.emit('untag', imageId, '');
  }

  private deleteImage(img: ImageRecord, records: DeleteRecord[]): void {
    this.repo.remove(img.id);
    records.push({ Deleted: img.id });
    this.emit('delete', img.id, '');
    // Layers no other image shares go too, top first, with their blobs.
    for (let i = img.layers.length - 1; i >= 0; i--) {
      const l = img.layers[i]!;
      if (this.repo.layerInUse(l.chainId)) continue;
      this.layers.remove(l.chainId);
      rmSync(this.content.path(l.digest), { force: true });
      records.push({ Deleted: l.chainId });
    }
    rmSync(this.content.path(img.id), { force: true });
  }

  /** Deletes dangling images (or, with dangling=false, every image no container uses). */
  prune(opts: { filters?: ImageFilters }, isUsedByContainer: ImageUsage): { ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number } {
    const f = opts.filters ?? {};
    const onlyDangling = !['false', '0'].includes(f.dangling?.[0] ?? 'true');
    const until = f.until?.[0] ? Date.parse(f.until[0]) / 1000 || Number(f.until[0]) : undefined;
    const deleted: DeleteRecord[] = [];
    let reclaimed = 0;
    for (const row of this.repo.all()) {
      const img = toRecord(row, this.repo.tagsOf(row.id), this.repo.digestsOf(row.id));
      if (onlyDangling && img.repoTags.length > 0) continue;
      if (isUsedByContainer(img.id)) continue;
      if (this.repo.childrenOf(img.id).length > 0) continue; // a parent goes once its children have
      if (until !== undefined && createdSeconds(img) >= until) continue;
      if (f.label?.length) {
        const labels = img.config.config?.Labels ?? {};
        if (!f.label.every((l) => (l.includes('=') ? labels[l.split('=')[0]!] === l.slice(l.indexOf('=') + 1) : l in labels))) continue;
      }
      for (const r of [...img.repoTags, ...img.repoDigests]) this.untag(r, img.id, deleted);
      const before = deleted.length;
      this.deleteImage(img, deleted);
      if (deleted.length > before) reclaimed += img.size;
    }
    this.removeLeftovers({ startup: false });
    this.events.emit({ Type: 'image', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } } });
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** What the registry has for a reference: its descriptor and platforms (GET /distribution/{name}/json). */
  async distributionInspect(refText: string, auth?: AuthConfig): Promise<Record<string, unknown>> {
    const ref = tagNameOnly(parseNormalizedNamed(refText));
    const repository = this.registry.repository(ref, auth);
    let m;
    try {
      m = await repository.getManifest(ref.digest ?? ref.tag!);
    } catch (err) {
      throw translatePullError(err, ref);
    }
    const digest = sha256Digest(m.body);
    const doc = JSON.parse(m.body.toString('utf8')) as ImageIndex & ImageManifest;
    let platforms: Record<string, string>[] = [];
    if (isIndex(m.mediaType)) {
      platforms = doc.manifests
        .filter((d) => d.platform && d.platform.os !== 'unknown')
        .map((d) => ({ architecture: d.platform!.architecture, os: d.platform!.os, ...(d.platform!.variant ? { variant: d.platform!.variant } : {}) }));
    } else {
      const cfg = JSON.parse((await repository.getBlob(doc.config.digest)).toString('utf8')) as { os: string; architecture: string; variant?: string };
      platforms = [{ architecture: cfg.architecture, os: cfg.os, ...(cfg.variant ? { variant: cfg.variant } : {}) }];
    }
    return { Descriptor: { mediaType: m.mediaType, digest, size: m.body.length }, Platforms: platforms };
  }

  /** Checks credentials against a registry (POST /auth). */
  async login(auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
    let server = (auth.serveraddress ?? '').replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    if (!server || server === 'index.docker.io') server = 'docker.io';
    await this.registry.login(server, auth);
    return { Status: 'Login Succeeded', IdentityToken: '' };
  }
}
