import { createReadStream, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { NotFoundError } from '../../common/errors.js';
import { sha256Digest } from './content-store.js';
import { OCI_LAYER_TAR, spoolUncompressedLayer, type ImageStoreParts } from './image-archive-layers.js';
import type { ImageRecord } from './image-views.js';
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import { familiarize, fullName, looksLikeId, parseNormalizedNamed, parseReference, referenceString } from './reference.js';

// `docker save`: a docker-archive (manifest.json, repositories) that is also an OCI image layout
// (oci-layout, index.json, blobs/sha256/…), as Docker 25+ writes it. Layers go in uncompressed.

export interface SaveDeps extends ImageStoreParts {
  /** Resolves a name, name:tag, digest reference or id, throwing NotFoundError. */
  getImage(ref: string): ImageRecord;
}

interface SaveItem {
  image: ImageRecord;
  /** Normalised name:tag references to record for the image. */
  tags: string[];
}

const blobName = (digest: string): string => `blobs/sha256/${digest.replace(/^sha256:/, '')}`;

/** Which images and tags the names select: a bare repository name selects all its tags, as in Docker. */
export function selectImages(deps: SaveDeps, names: string[]): SaveItem[] {
  const items = new Map<string, SaveItem>();
  const add = (image: ImageRecord, tag?: string) => {
    const item = items.get(image.id) ?? { image, tags: [] };
    if (tag && !item.tags.includes(tag)) item.tags.push(tag);
    items.set(image.id, item);
  };
  for (const name of names) {
    let ref;
    try {
      ref = parseNormalizedNamed(name);
    } catch {
      ref = undefined;
    }
    if (ref && !ref.tag && !ref.digest && !looksLikeId(name)) {
      const repo = fullName(ref);
      const tagged = deps.repo.allTags().filter((t) => t.ref.startsWith(`${repo}:`));
      if (tagged.length) {
        for (const t of tagged) add(deps.getImage(t.ref), t.ref);
        continue;
      }
    }
    const image = deps.getImage(name);
    if (ref && !looksLikeId(name) && !ref.digest) add(image, referenceString({ ...ref, tag: ref.tag ?? 'latest' }));
    else add(image);
  }
  if (items.size === 0) throw new NotFoundError('No images to save');
  return [...items.values()];
}

/** Streams the archive of the selected images. Errors after the first byte end the stream with an error. */
export function saveImages(deps: SaveDeps, names: string[]): Readable {
  const items = selectImages(deps, names);
  const pack = tar.pack();
  const mtime = new Date(0);
  const put = (name: string, body: Buffer | string) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, mtime, mode: 0o644 }, body, (err) => (err ? reject(err) : resolve())));
  const putFile = (name: string, file: string, size: number) =>
    new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name, mtime, mode: 0o644, size }, (err) => (err ? reject(err) : resolve()));
      const rs = createReadStream(file);
      rs.on('error', reject);
      rs.pipe(entry);
    });

  const run = async () => {
    for (const dir of ['blobs/', 'blobs/sha256/']) {
      await new Promise<void>((resolve, reject) => pack.entry({ name: dir, type: 'directory', mtime, mode: 0o755 }, (err) => (err ? reject(err) : resolve())));
    }
    const written = new Set<string>();
    const manifestJson: Record<string, unknown>[] = [];
    const index: Record<string, unknown>[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { image, tags } of items) {
      const config = deps.content.has(image.id) ? deps.content.read(image.id) : Buffer.from(deps.repo.get(image.id)!.config);
      if (!written.has(image.id)) {
        await put(blobName(image.id), config);
        written.add(image.id);
      }
      const row = deps.repo.get(image.id)!;
      const layerDescs: { mediaType: string; digest: string; size: number }[] = [];
      for (const layer of row.layers) {
        const { file, size } = await spoolUncompressedLayer(deps, layer);
        try {
          if (!written.has(layer.diffId)) {
            await putFile(blobName(layer.diffId), file, size);
            written.add(layer.diffId);
          }
        } finally {
          rmSync(file, { force: true });
        }
        layerDescs.push({ mediaType: OCI_LAYER_TAR, digest: layer.diffId, size });
      }
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: image.id, size: config.length },
          layers: layerDescs,
        }),
      );
      const manifestDigest = sha256Digest(manifest);
      if (!written.has(manifestDigest)) {
        await put(blobName(manifestDigest), manifest);
        written.add(manifestDigest);
      }
      const desc = { mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length };
      if (tags.length === 0) index.push(desc);
      for (const t of tags) {
        const r = parseReference(t);
        index.push({ ...desc, annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': r.tag ?? 'latest' } });
        const top = row.layers.at(-1);
        if (top) (repositories[familiarize(fullName(r))] ??= {})[r.tag ?? 'latest'] = top.diffId.replace(/^sha256:/, '');
      }
      manifestJson.push({
        Config: blobName(image.id),
        RepoTags: tags.length ? tags.map(familiarize) : null,
        Layers: layerDescs.map((l) => blobName(l.digest)),
      });
    }
    await put('index.json', JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: index }) + '\n');
    await put('manifest.json', JSON.stringify(manifestJson) + '\n');
    await put('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    if (Object.keys(repositories).length) await put('repositories', JSON.stringify(repositories) + '\n');
  };
  run().then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return Readable.from(pack);
}
