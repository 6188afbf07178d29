import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { InvalidArgumentError, SystemError } from '../../common/errors.js';
import { decompressor, streamError } from '../../common/archive/extract.js';
import type { ArchiveLimits } from '../../common/archive/limits.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { ImageLayerRef, ImageRepository, ImageRow } from '../../store/image-repository.js';
import type { LayerStore } from '../snapshots/layer-store.js';
import { unpackLayer } from '../snapshots/layer-unpacker.js';
import { sha256Digest, type ContentStore } from './content-store.js';
import { layerCompression } from './media-types.js';

// Layers that enter the store from outside a registry (load, commit, import): each kept once as
// a gzip blob (what push sends, as Docker does) and unpacked by chain ID; and the way back out,
// a layer's uncompressed tar (what save writes).

export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

/** The image store as the transfer modules use it. */
export interface ImageStoreParts {
  repo: ImageRepository;
  content: ContentStore;
  layers: LayerStore;
  paths: BerthPaths;
  logger: Logger;
}

class HashTap extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  /** Bytes past which the stream is refused (a decompression bomb). */
  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return cb(new InvalidArgumentError(`invalid archive: more than ${this.maxBytes} bytes once uncompressed`));
    this.hash.update(chunk);
    cb(null, chunk);
  }
  digest(): string {
    return 'sha256:' + this.hash.digest('hex');
  }
}

/** A scratch path under the content store's ingest directory (same filesystem as the blobs). */
export function scratchPath(paths: BerthPaths, label: string): string {
  mkdirSync(paths.ingestDir, { recursive: true });
  return join(paths.ingestDir, `${label}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** Peeks the first bytes of a stream to tell gzip from a plain tar. */
async function sniffed(source: AsyncIterable<Buffer>): Promise<{ kind: 'gzip' | 'zstd' | 'none'; stream: Readable }> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  const kind = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b ? 'gzip' : head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528 ? 'zstd' : 'none';
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { kind, stream: Readable.from(rest(), { objectMode: false }) };
}

/** Finds a stored layer blob of the same content (same diff ID), so a re-loaded layer keeps its registry digest. */
function knownBlob(s: ImageStoreParts, diffId: string): ImageLayerRef | undefined {
  for (const row of s.repo.all()) {
    const hit = row.layers.find((l) => l.diffId === diffId && s.content.has(l.digest));
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Stores a layer tar (plain, gzip or zstd) as a gzip blob (zstd is recompressed) and unpacks it
 * on top of `parentChain`. `expectedDiffId`, when given, must match the uncompressed bytes;
 * `limits` bound what a client sent (load, import). A corrupt stream is the client's fault (400).
 */
export async function ingestLayer(
  s: ImageStoreParts,
  source: AsyncIterable<Buffer>,
  parentChain: string | null,
  expectedDiffId?: string,
  limits?: ArchiveLimits,
): Promise<ImageLayerRef> {
  const { kind, stream } = await sniffed(source);
  const tmp = scratchPath(s.paths, 'layer');
  const maxBytes = limits ? limits.bytes + limits.entries * 2048 : undefined;
  const diffTap = new HashTap(maxBytes);
  const blobTap = new HashTap();
  let rawTap: HashTap | undefined;
  try {
    try {
      if (kind === 'gzip') {
        // Keep the compressed bytes as they are (their digest is what a registry knows them by);
        // a second pass reads the diff ID.
        rawTap = new HashTap();
        await pipeline(stream, rawTap, createWriteStream(tmp));
        await pipeline(createReadStream(tmp), createGunzip(), diffTap, new PassThrough({ transform: (_c, _e, cb) => cb() }));
      } else {
        await pipeline(stream, decompressor(kind), diffTap, createGzip(), blobTap, createWriteStream(tmp));
      }
    } catch (err) {
      throw streamError(err, kind);
    }
    const diffId = diffTap.digest();
    if (expectedDiffId && expectedDiffId !== diffId) throw new SystemError(`layer diff ID mismatch: expected ${expectedDiffId}, got ${diffId}`);
    const known = knownBlob(s, diffId);
    let digest: string;
    let mediaType = DOCKER_LAYER_GZIP;
    if (known) {
      digest = known.digest;
      mediaType = known.mediaType;
      rmSync(tmp, { force: true });
    } else {
      digest = (rawTap ?? blobTap).digest();
      const target = s.content.path(digest);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(tmp, target);
    }
    const chain = childChain(parentChain, diffId);
    const { row } = await s.layers.ensure({ chainId: chain, diffId, parent: parentChain }, (dir) =>
      unpackLayer(s.content.stream(digest), { target: dir, mediaType, diffId, limits }),
    );
    return { digest, diffId, chainId: chain, size: row.size, mediaType };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The chain ID of `diffId` stacked on `parentChain`. */
export function childChain(parentChain: string | null, diffId: string): string {
  return parentChain ? 'sha256:' + createHash('sha256').update(`${parentChain} ${diffId}`).digest('hex') : diffId;
}

/** Writes a layer's uncompressed tar to a scratch file (its size must be known before a tar entry). */
export async function spoolUncompressedLayer(s: ImageStoreParts, layer: { digest: string; diffId: string; mediaType?: string }): Promise<{ file: string; size: number }> {
  if (!s.content.has(layer.digest)) throw new SystemError(`layer blob ${layer.digest} of ${layer.diffId} is not in the content store`);
  const file = scratchPath(s.paths, 'save');
  let kind = layerCompression(layer.mediaType);
  if (kind === 'unknown') kind = (await sniffed(s.content.stream(layer.digest))).kind;
  if (kind === 'zstd') throw new SystemError('saving zstd-compressed layers is not supported');
  const tap = new HashTap();
  try {
    await pipeline(createReadStream(s.content.path(layer.digest)), kind === 'gzip' ? createGunzip() : new PassThrough(), tap, createWriteStream(file));
  } catch (err) {
    rmSync(file, { force: true });
    throw err;
  }
  if (tap.digest() !== layer.diffId) {
    rmSync(file, { force: true });
    throw new SystemError(`layer ${layer.digest} does not match its diff ID ${layer.diffId}`);
  }
  return { file, size: statSync(file).size };
}

/** Stores an image config and its layers, pointing `tags` (normalised refs) at it. */
export function storeImage(s: ImageStoreParts, configBytes: Buffer, layers: ImageLayerRef[], tags: string[], parent?: string): ImageRow {
  const id = sha256Digest(configBytes);
  s.content.writeBuffer(id, configBytes);
  const row: ImageRow = {
    id,
    config: configBytes.toString('utf8'),
    manifestDigest: null,
    layers,
    size: layers.reduce((a, l) => a + l.size, 0),
    created: Math.floor(Date.now() / 1000),
    parent: parent ?? null,
  };
  s.repo.save(row, tags, []);
  return s.repo.get(id) ?? row;
}
