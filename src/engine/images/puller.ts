import { rmSync } from 'node:fs';
import { NotFoundError, SystemError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { ImageLayerRef, ImageRepository, ImageRow } from '../../store/image-repository.js';
import { chainIds } from '../snapshots/chain-id.js';
import type { LayerStore } from '../snapshots/layer-store.js';
import { unpackLayer } from '../snapshots/layer-unpacker.js';
import type { BlobIngest, ContentStore } from './content-store.js';
import { sha256Digest } from './content-store.js';
import {
  isIndex,
  isManifest,
  isSchema1,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from './media-types.js';
import { formatPlatform, hostPlatform, platformMatches, selectManifest, type Platform } from './platform.js';
import { progressOf, statusOf, type JsonMessage } from './progress.js';
import { familiarName, familiarString, fullName, type ImageReference } from './reference.js';
import { RegistryError, type Repository } from './registry-client.js';

// Pulls one image reference: manifest (through an index if need be), config, then every layer,
// each streamed from the socket into the content store and the unpacker at once, several layers
// in parallel, with Docker's progress messages.

export interface PullDeps {
  content: ContentStore;
  layers: LayerStore;
  images: ImageRepository;
  logger: Logger;
  maxConcurrentDownloads: number;
}

export interface PullResult {
  image: ImageRow;
  /** Whether anything changed (layers downloaded or the tag moved). */
  updated: boolean;
}

interface ImageConfigDoc {
  os?: string;
  architecture?: string;
  variant?: string;
  rootfs?: { type?: string; diff_ids?: string[] };
}

/** Docker's wording for registry errors met while pulling. */
export function translatePullError(err: unknown, ref: ImageReference): unknown {
  if (err instanceof RegistryError) {
    if (err.code === 'DENIED' || err.code === 'UNAUTHORIZED' || (err.status === 401 && err.code !== 'MANIFEST_UNKNOWN')) {
      return new NotFoundError(
        `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
        { cause: err },
      );
    }
    if (err.code === 'MANIFEST_UNKNOWN' || (err.status === 404 && err.code === 'NOT_FOUND')) {
      return new NotFoundError(`manifest for ${familiarString(ref)} not found: ${err.message}`, { cause: err });
    }
    if (err.code === 'NAME_UNKNOWN') {
      return new NotFoundError(`repository ${familiarName(ref)} not found: ${err.message}`, { cause: err });
    }
  }
  return err;
}

/** Runs at most `limit` tasks at a time, in the order they ask. */
class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
  get busy(): boolean {
    return this.active >= this.limit;
  }
}

function parseJson<T>(body: Buffer, what: string): T {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    throw new SystemError(`invalid ${what}: not JSON`);
  }
}

export class Puller {
  constructor(private readonly deps: PullDeps) {}

  async pull(
    ref: ImageReference,
    repo: Repository,
    platform: Platform | undefined,
    onProgress: (msg: JsonMessage) => void,
  ): Promise<PullResult> {
    const tagOrDigest = ref.digest ?? ref.tag ?? 'latest';
    let fetched;
    try {
      fetched = await repo.getManifest(tagOrDigest);
    } catch (err) {
      throw translatePullError(err, ref);
    }
    if (isSchema1(fetched.mediaType)) {
      throw new SystemError(
        `[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed. Suggest the author of ${familiarString(ref)} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/`,
      );
    }
    const topDigest = sha256Digest(fetched.body);
    if (ref.digest && ref.digest !== topDigest) throw new SystemError(`manifest verification failed for digest ${ref.digest}`);
    onProgress({ status: `Pulling from ${ref.path}`, id: tagOrDigest });

    let manifest: ImageManifest;
    let manifestDigest = topDigest;
    if (isIndex(fetched.mediaType)) {
      const index = parseJson<ImageIndex>(fetched.body, 'manifest list');
      const chosen: Descriptor = selectManifest(index.manifests, platform ?? hostPlatform());
      const child = await repo.getManifest(chosen.digest).catch((err: unknown) => {
        throw translatePullError(err, ref);
      });
      if (sha256Digest(child.body) !== chosen.digest) throw new SystemError(`manifest verification failed for digest ${chosen.digest}`);
      if (!isManifest(child.mediaType)) throw new SystemError(`unsupported manifest media type ${child.mediaType}`);
      manifest = parseJson<ImageManifest>(child.body, 'manifest');
      manifestDigest = chosen.digest;
    } else if (isManifest(fetched.mediaType)) {
      manifest = parseJson<ImageManifest>(fetched.body, 'manifest');
    } else {
      throw new SystemError(`unsupported manifest media type ${fetched.mediaType}`);
    }

    // What this pull adds is undone if it fails (a full disk, a broken blob), as dockerd releases
    // the layers of a failed pull: no layer, row or blob of an image that never came to be.
    const imageId = manifest.config.digest;
    const holds = [this.deps.layers.hold([...new Set([imageId, ...manifest.layers.map((l) => l.digest)])])];
    const configFresh = !this.deps.content.has(imageId);
    try {
      return await this.pullImage(ref, repo, platform, manifest, manifestDigest, topDigest, holds, onProgress);
    } catch (err) {
      this.undo(imageId, configFresh);
      throw err;
    } finally {
      for (const release of holds) release();
    }
  }

  private async pullImage(
    ref: ImageReference,
    repo: Repository,
    platform: Platform | undefined,
    manifest: ImageManifest,
    manifestDigest: string,
    topDigest: string,
    holds: (() => void)[],
    onProgress: (msg: JsonMessage) => void,
  ): Promise<PullResult> {
    const imageId = manifest.config.digest;
    const configBytes = await this.fetchConfig(repo, imageId);
    const config = parseJson<ImageConfigDoc>(configBytes, 'image config');
    if (platform && !platformMatches(platform, { os: config.os, architecture: config.architecture, variant: config.variant })) {
      throw new NotFoundError(
        `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(platform)}, actual: ${formatPlatform({ os: config.os ?? '', architecture: config.architecture ?? '', variant: config.variant })}`,
      );
    }
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) {
      throw new SystemError(`image config has ${diffIds.length} diff IDs but the manifest lists ${manifest.layers.length} layers`);
    }
    const chains = chainIds(diffIds);
    holds.push(this.deps.layers.hold([...new Set(chains)]));

    // An image already stored whole needs no layer lines at all, as with Docker.
    const stored = this.deps.images.get(imageId);
    const complete = stored !== undefined && chains.every((c) => this.deps.layers.get(c) !== undefined);
    const layerRefs = complete ? stored.layers : await this.pullLayers(repo, manifest.layers, diffIds, chains, onProgress);
    const sizes = layerRefs.reduce((a, l) => a + l.size, 0);
    const name = fullName(ref);
    const tags = ref.tag !== undefined && !ref.digest ? [`${name}:${ref.tag}`] : [];
    const previous = tags[0] ? this.deps.images.resolveTag(tags[0]) : undefined;
    const existed = stored !== undefined;
    const image: ImageRow = {
      id: imageId,
      config: configBytes.toString('utf8'),
      manifestDigest,
      layers: layerRefs,
      size: sizes,
      created: Math.floor(Date.now() / 1000),
    };
    this.deps.images.save(image, tags, [`${name}@${topDigest}`]);
    onProgress({ status: `Digest: ${topDigest}` });
    const downloaded = this.downloadedAny;
    const updated = downloaded || !existed || (tags.length > 0 && previous !== imageId);
    onProgress({
      status: updated
        ? `Status: Downloaded newer image for ${familiarString(ref)}`
        : `Status: Image is up to date for ${familiarString(ref)}`,
    });
    return { image: this.deps.images.get(imageId) ?? image, updated };
  }

  private downloadedAny = false;
  /** Layers this pull unpacked, with whether it downloaded their blob too. */
  private readonly fresh: { chainId: string; digest: string; blobFresh: boolean }[] = [];
  /** The first failure of a layer: the other layers stop downloading. */
  private failure: { err: unknown } | undefined;

  /** Removes what a failed pull added that no image uses and no other pull under way holds. */
  private undo(imageId: string, configFresh: boolean): void {
    const { layers, images, content, logger } = this.deps;
    const removed: string[] = [];
    try {
      for (const l of [...this.fresh].reverse()) {
        if (images.layerInUse(l.chainId) || layers.holders(l.chainId) > 1) continue;
        layers.remove(l.chainId);
        removed.push(l.chainId);
        if (l.blobFresh && layers.holders(l.digest) <= 1) rmSync(content.path(l.digest), { force: true });
      }
      if (configFresh && !images.get(imageId) && layers.holders(imageId) <= 1) rmSync(content.path(imageId), { force: true });
    } catch (err) {
      logger.warn({ err: errorText(err), imageId }, 'could not undo all of a failed pull');
    }
    if (removed.length > 0) logger.info({ imageId, layers: removed }, 'removed the layers of a failed pull');
  }

  private async fetchConfig(repo: Repository, digest: string): Promise<Buffer> {
    if (this.deps.content.has(digest)) return this.deps.content.read(digest);
    const body = await repo.getBlob(digest);
    this.deps.content.writeBuffer(digest, body);
    return body;
  }

  private async pullLayers(
    repo: Repository,
    descs: Descriptor[],
    diffIds: string[],
    chains: string[],
    onProgress: (msg: JsonMessage) => void,
  ): Promise<ImageLayerRef[]> {
    const { layers } = this.deps;
    const limiter = new Limiter(this.deps.maxConcurrentDownloads);
    const shortIds = descs.map((d) => d.digest.replace(/^sha256:/, '').slice(0, 12));
    const present = chains.map((c) => layers.get(c) !== undefined);
    descs.forEach((_d, i) => onProgress(statusOf(shortIds[i]!, present[i] ? 'Already exists' : 'Pulling fs layer')));
    let queued = 0;
    descs.forEach((_d, i) => {
      if (present[i]) return;
      if (++queued > this.deps.maxConcurrentDownloads) onProgress(statusOf(shortIds[i]!, 'Waiting'));
    });

    // "Extracting" and "Pull complete" are reported in layer order, as Docker does.
    let previousDone: Promise<unknown> = Promise.resolve();
    const jobs = descs.map((desc, i) => {
      const id = shortIds[i]!;
      const spec = { chainId: chains[i]!, diffId: diffIds[i]!, parent: i > 0 ? chains[i - 1]! : null };
      const work = present[i]
        ? Promise.resolve({ size: layers.get(spec.chainId)!.size, fresh: false })
        : limiter.run(async () => {
            if (this.failure) throw this.failure.err;
            const blobFresh = !this.deps.content.has(desc.digest);
            try {
              const { row, created } = await layers.ensure(spec, (diffDir) => this.fetchAndUnpack(repo, desc, spec.diffId, diffDir, id, onProgress));
              if (created) this.fresh.push({ chainId: spec.chainId, digest: desc.digest, blobFresh });
              return { size: row.size, fresh: created };
            } catch (err) {
              this.failure ??= { err };
              throw err;
            }
          });
      const prev = previousDone;
      const done = (async () => {
        const r = await work;
        await prev.catch(() => undefined);
        if (r.fresh) {
          onProgress(progressOf(id, 'Extracting', desc.size, desc.size));
          onProgress(statusOf(id, 'Pull complete'));
        }
        return r;
      })();
      previousDone = done;
      return done;
    });
    // Every layer settles before the pull fails, so the undo sees all that was made.
    const settled = await Promise.allSettled(jobs);
    if (this.failure) throw this.failure.err;
    const results = settled.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });
    return descs.map((d, i) => ({
      digest: d.digest,
      diffId: diffIds[i]!,
      chainId: chains[i]!,
      size: results[i]!.size,
      mediaType: d.mediaType,
    }));
  }

  /**
   * Streams a layer from the registry into the content store and the unpacker at once. Bytes a
   * killed pull left in ingest/ are replayed first and the rest is asked for with Range; when
   * they are the whole blob nothing is asked at all. If resumed bytes turn out wrong (a 416, a
   * digest or diff ID mismatch, a broken stream) the blob starts again from zero, once.
   */
  private async fetchAndUnpack(
    repo: Repository,
    desc: Descriptor,
    diffId: string,
    diffDir: string,
    id: string,
    onProgress: (msg: JsonMessage) => void,
  ): Promise<{ size: number }> {
    const { content } = this.deps;
    if (content.has(desc.digest)) {
      onProgress(statusOf(id, 'Verifying Checksum'));
      onProgress(statusOf(id, 'Download complete'));
      return unpackLayer(content.stream(desc.digest), { target: diffDir, mediaType: desc.mediaType, diffId });
    }
    this.downloadedAny = true;
    for (let attempt = 0; ; attempt++) {
      const ingest = content.ingest(desc.digest);
      const resumed = ingest.offset > 0;
      try {
        return await this.download(repo, desc, diffId, diffDir, id, ingest, onProgress);
      } catch (err) {
        const cause = err instanceof ResumeFailed ? err.cause : err;
        // A full disk stays full: starting the blob over would only fail again.
        if (!resumed || attempt > 0 || !(err instanceof ResumeFailed) || isNoSpace(cause)) throw cause;
        this.deps.logger.warn({ digest: desc.digest, offset: ingest.offset, err: errorText(err.cause) }, 'resumed download failed, restarting the blob from zero');
        rmSync(diffDir, { recursive: true, force: true });
      }
    }
  }

  private async download(
    repo: Repository,
    desc: Descriptor,
    diffId: string,
    diffDir: string,
    id: string,
    ingest: BlobIngest,
    onProgress: (msg: JsonMessage) => void,
  ): Promise<{ size: number }> {
    const total = desc.size;
    const step = Math.max(512 * 1024, Math.floor(total / 100));
    let reported = 0;
    let networkFailed = false;
    let localFailed = false;
    const stopped = (): unknown => this.failure?.err;
    // More bytes than the blob has can only be garbage: start over.
    if (total > 0 && ingest.offset > total) {
      await ingest.discard();
      throw new ResumeFailed(new SystemError(`partial download of ${desc.digest} is longer than the blob`));
    }
    // A pull killed after the last byte left the whole blob: verify it, ask nothing.
    const complete = total > 0 && ingest.offset === total;
    async function* source(): AsyncGenerator<Buffer> {
      yield* ingest.replay();
      if (!complete) {
        try {
          for await (const chunk of repo.blob(desc.digest, ingest.offset)) {
            // Another layer failed: stop (leaving the loop closes the download).
            if (stopped()) throw stopped();
            try {
              ingest.write(chunk);
              await ingest.backpressure();
            } catch (err) {
              // The disk, not the network: what was written is not worth a resume.
              localFailed = true;
              throw err;
            }
            if (ingest.bytes - reported >= step || ingest.bytes === total) {
              reported = ingest.bytes;
              onProgress(progressOf(id, 'Downloading', ingest.bytes, total));
            }
            yield chunk;
          }
        } catch (err) {
          // 416: the registry refuses the range we asked, so what we hold is not a prefix of the blob.
          networkFailed = !localFailed && !(err instanceof RegistryError && err.status === 416);
          throw err;
        }
      }
      onProgress(statusOf(id, 'Verifying Checksum'));
      onProgress(statusOf(id, 'Download complete'));
    }
    try {
      const res = await unpackLayer(source(), { target: diffDir, mediaType: desc.mediaType, diffId });
      await ingest.commit();
      return res;
    } catch (err) {
      // Keep a partial download for a later Range resume (unless the disk is full); drop bytes
      // that failed verification.
      if (networkFailed && !isNoSpace(err) && !isNoSpace(stopped())) {
        await ingest.abort();
        throw err;
      }
      await ingest.discard();
      throw new ResumeFailed(err);
    }
  }
}

/** A download that failed for a reason other than the network: its bytes were dropped. */
class ResumeFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(errorText(cause));
  }
}

/** ENOSPC or EDQUOT, or SQLite's word for them. */
export function isNoSpace(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
