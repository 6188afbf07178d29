import { createReadStream, lstatSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { extractTar } from '../../common/archive/extract.js';
import { IMPORT_LIMITS, LOAD_LIMITS } from '../../common/archive/limits.js';
import { InvalidArgumentError, SystemError } from '../../common/errors.js';
import type { ImageLayerRef } from '../../store/image-repository.js';
import { childChain, ingestLayer, scratchPath, storeImage, type ImageStoreParts } from './image-archive-layers.js';
import { isIndex, type Descriptor, type ImageIndex, type ImageManifest } from './media-types.js';
import { hostPlatform, selectManifest } from './platform.js';
import { progressOf, type JsonMessage } from './progress.js';
import { familiarString, parseNormalizedNamed, referenceString, tagNameOnly } from './reference.js';
import { followSymlinkInScope } from '../volumes/scoped-path.js';

// `docker load`: reads a docker-archive (manifest.json) or an OCI image layout (index.json), as
// Docker and skopeo write them, stores every layer and config, and tags what the archive names.

export interface LoadResult {
  /** The lines Docker streams: `Loaded image: busybox:latest` or `Loaded image ID: sha256:…`. */
  loaded: string[];
}

interface ArchiveImage {
  config: Buffer;
  /** Archive paths of the layer files, bottom first. */
  layers: string[];
  tags: string[];
}

/** Unpacks the archive into the empty scratch directory `dir`, through the one extractor. */
async function extractArchive(body: AsyncIterable<Buffer> | Readable, dir: string): Promise<void> {
  await extractTar(body, dir, {
    label: 'archive',
    whiteouts: false,
    // Nothing in an image archive is a device; the scratch directory gets none.
    devices: false,
    xattrs: false,
    owner: 'keep',
    noOverwriteDirNonDir: false,
    limits: LOAD_LIMITS,
  });
}

/**
 * A regular file of the archive, its symlinks (legacy saves link duplicate layer.tar files)
 * followed inside the archive only.
 */
function archiveFile(dir: string, rel: string): string {
  const abs = followSymlinkInScope(dir, rel);
  if (!lstatSync(abs, { throwIfNoEntry: false })?.isFile()) throw new InvalidArgumentError(`archive is missing ${rel}`);
  return abs;
}

function hasFile(dir: string, rel: string): boolean {
  return lstatSync(followSymlinkInScope(dir, rel), { throwIfNoEntry: false })?.isFile() ?? false;
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    throw new InvalidArgumentError(`invalid ${what} in archive`);
  }
}

function normalizeTag(t: string): string | undefined {
  try {
    return referenceString(tagNameOnly(parseNormalizedNamed(t)));
  } catch {
    return undefined;
  }
}

function dockerArchiveImages(dir: string): ArchiveImage[] {
  const manifest = readJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(archiveFile(dir, 'manifest.json'), 'manifest.json');
  return manifest.map((m) => ({
    config: readFileSync(archiveFile(dir, m.Config)),
    layers: m.Layers,
    tags: (m.RepoTags ?? []).map(normalizeTag).filter((t): t is string => !!t),
  }));
}

const blobPath = (digest: string): string => `blobs/${digest.replace(':', '/')}`;

function ociImages(dir: string): ArchiveImage[] {
  const index = readJson<ImageIndex>(archiveFile(dir, 'index.json'), 'index.json');
  const out: ArchiveImage[] = [];
  const visit = (desc: Descriptor, names: string[]) => {
    if (isIndex(desc.mediaType)) {
      const child = readJson<ImageIndex>(archiveFile(dir, blobPath(desc.digest)), 'index');
      visit(selectManifest(child.manifests, hostPlatform()), names);
      return;
    }
    const m = readJson<ImageManifest>(archiveFile(dir, blobPath(desc.digest)), 'manifest');
    const existing = out.find((i) => i.layers.join() === m.layers.map((l) => blobPath(l.digest)).join() && i.config.equals(readFileSync(archiveFile(dir, blobPath(m.config.digest)))));
    if (existing) {
      for (const n of names) if (!existing.tags.includes(n)) existing.tags.push(n);
      return;
    }
    out.push({ config: readFileSync(archiveFile(dir, blobPath(m.config.digest))), layers: m.layers.map((l) => blobPath(l.digest)), tags: names });
  };
  for (const desc of index.manifests) {
    const a = desc.annotations ?? {};
    // A bare tag ("latest") names no repository: such an image loads untagged.
    const full = a['io.containerd.image.name'] ?? (a['org.opencontainers.image.ref.name'] && /[:/]/.test(a['org.opencontainers.image.ref.name']) ? a['org.opencontainers.image.ref.name'] : undefined);
    const tag = full ? normalizeTag(full) : undefined;
    visit(desc, tag ? [tag] : []);
  }
  return out;
}

/** A layer already unpacked whose blob is stored, so loading it again reads nothing. */
function storedLayer(s: ImageStoreParts, chainId: string): ImageLayerRef | undefined {
  if (!s.layers.get(chainId)) return undefined;
  for (const row of s.repo.all()) {
    const hit = row.layers.find((l) => l.chainId === chainId && s.content.has(l.digest));
    if (hit) return hit;
  }
  return undefined;
}

/** Loads an archive, streaming Docker's messages (`quiet` leaves out the per-layer progress). */
export async function loadImages(
  s: ImageStoreParts,
  body: AsyncIterable<Buffer> | Readable,
  opts: { quiet?: boolean },
  onMessage: (m: JsonMessage & { stream?: string }) => void,
): Promise<LoadResult> {
  const dir = scratchPath(s.paths, 'load');
  mkdirSync(dir, { recursive: true });
  try {
    await extractArchive(body, dir);
    let images: ArchiveImage[];
    if (hasFile(dir, 'manifest.json')) images = dockerArchiveImages(dir);
    else if (hasFile(dir, 'index.json')) images = ociImages(dir);
    else throw new InvalidArgumentError('invalid archive: does not contain a manifest.json or index.json');
    const loaded: string[] = [];
    for (const img of images) {
      const config = JSON.parse(img.config.toString('utf8')) as { rootfs?: { diff_ids?: string[] } };
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== img.layers.length) {
        throw new SystemError(`invalid manifest, layers length mismatch: expected ${diffIds.length}, got ${img.layers.length}`);
      }
      const refs: ImageLayerRef[] = [];
      let parent: string | null = null;
      for (let i = 0; i < img.layers.length; i++) {
        const diffId = diffIds[i]!;
        const chain = childChain(parent, diffId);
        const file = archiveFile(dir, img.layers[i]!);
        const size = statSync(file).size;
        const id = diffId.replace(/^sha256:/, '').slice(0, 12);
        const known = storedLayer(s, chain);
        const ref = known ?? (await ingestLayer(s, createReadStream(file, { highWaterMark: 1 << 20 }), parent, diffId, IMPORT_LIMITS));
        if (!opts.quiet) onMessage(progressOf(id, 'Loading layer', size, size));
        refs.push({ ...ref, chainId: chain });
        parent = chain;
      }
      const before = img.tags.map((t) => s.repo.resolveTag(t));
      const row = storeImage(s, img.config, refs, []);
      img.tags.forEach((t, i) => {
        const old = before[i];
        const shown = familiarString(parseNormalizedNamed(t));
        if (old && old !== row.id) {
          onMessage({ stream: `The image ${shown} already exists, renaming the old one with ID ${old} to empty string\n` });
        }
        s.repo.setTag(t, row.id);
        loaded.push(`Loaded image: ${shown}`);
        onMessage({ stream: `Loaded image: ${shown}\n` });
      });
      if (img.tags.length === 0) {
        loaded.push(`Loaded image ID: ${row.id}`);
        onMessage({ stream: `Loaded image ID: ${row.id}\n` });
      }
    }
    return { loaded };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
