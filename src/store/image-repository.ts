import type { Db } from './database.js';
import { reportUnreadable } from './readable-docs.js';

// The only SQL about images and their layers. Tags and digests point at images; layers are
// keyed by chain ID and shared by every image that has them.

export interface ImageLayerRef {
  digest: string;
  diffId: string;
  chainId: string;
  size: number;
  mediaType: string;
}

export interface ImageRow {
  id: string;
  /** The image config JSON exactly as pulled (its sha256 is the id). */
  config: string;
  manifestDigest: string | null;
  layers: ImageLayerRef[];
  size: number;
  /** Unix seconds it was stored here. */
  created: number;
  /** The image this one was committed or built from here; null for pulled and loaded images. */
  parent?: string | null;
}

export interface LayerRow {
  chainId: string;
  diffId: string;
  parent: string | null;
  size: number;
  short: string;
}

interface RawImage {
  id: string;
  config: string;
  manifest_digest: string | null;
  layers: string;
  size: number;
  created: number;
  parent: string | null;
}

interface RawLayer {
  chain_id: string;
  diff_id: string;
  parent: string | null;
  size: number;
  short: string;
}

function toImage(r: RawImage): ImageRow {
  return {
    id: r.id,
    config: r.config,
    manifestDigest: r.manifest_digest,
    layers: JSON.parse(r.layers) as ImageLayerRef[],
    size: r.size,
    created: r.created,
    parent: r.parent,
  };
}

// `name:tag` with Docker's tag grammar. A tag stored malformed (an older berth let `docker commit`
// store `a:b@c`) would make every listing of images fail to parse it: it is left out and reported.
const TAG_REF = /^[^@]+:[\w][\w.-]{0,127}$/;

function readableTag(ref: string): boolean {
  if (TAG_REF.test(ref) && !ref.slice(ref.lastIndexOf(':')).includes('/')) return true;
  reportUnreadable('image tag', ref, 'skipped: not a valid name:tag reference');
  return false;
}

function toLayer(r: RawLayer): LayerRow {
  return { chainId: r.chain_id, diffId: r.diff_id, parent: r.parent, size: r.size, short: r.short };
}

export class ImageRepository {
  constructor(private readonly db: Db) {}

  get(id: string): ImageRow | undefined {
    const r = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as RawImage | undefined;
    return r && toImage(r);
  }

  /** Images whose id starts with `sha256:<hexPrefix>`. */
  findByIdPrefix(hexPrefix: string): ImageRow[] {
    const rows = this.db
      .prepare("SELECT * FROM images WHERE substr(id, 1, ?) = ? LIMIT 2")
      .all(7 + hexPrefix.length, 'sha256:' + hexPrefix) as RawImage[];
    return rows.map(toImage);
  }

  /** Every image; a row whose layer list is not JSON is skipped and reported, not fatal to the list. */
  all(): ImageRow[] {
    const out: ImageRow[] = [];
    for (const r of this.db.prepare('SELECT * FROM images ORDER BY created DESC').all() as RawImage[]) {
      try {
        out.push(toImage(r));
      } catch (err) {
        reportUnreadable('image', r.id, `skipped: layers are not JSON (${(err as Error).message})`);
      }
    }
    return out;
  }

  tagsOf(id: string): string[] {
    return (this.db.prepare('SELECT ref FROM image_tags WHERE image_id = ? ORDER BY ref').all(id) as { ref: string }[]).map((r) => r.ref).filter(readableTag);
  }

  digestsOf(id: string): string[] {
    return (this.db.prepare('SELECT ref FROM image_digests WHERE image_id = ? ORDER BY ref').all(id) as { ref: string }[]).map((r) => r.ref);
  }

  allTags(): { ref: string; imageId: string }[] {
    return (this.db.prepare('SELECT ref, image_id AS imageId FROM image_tags ORDER BY ref').all() as { ref: string; imageId: string }[]).filter((t) => readableTag(t.ref));
  }

  allDigests(): { ref: string; imageId: string }[] {
    return this.db.prepare('SELECT ref, image_id AS imageId FROM image_digests ORDER BY ref').all() as { ref: string; imageId: string }[];
  }

  /** Image id a normalised name:tag points at. */
  resolveTag(ref: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM image_tags WHERE ref = ?').get(ref) as { image_id: string } | undefined)?.image_id;
  }

  /** Image id a normalised name@digest points at. */
  resolveDigest(ref: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM image_digests WHERE ref = ?').get(ref) as { image_id: string } | undefined)?.image_id;
  }

  /** Stores an image (if new) and points tags and digests at it, in one transaction. */
  save(image: ImageRow, tags: string[], digests: string[]): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT OR IGNORE INTO images (id, config, manifest_digest, layers, size, created, parent) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(image.id, image.config, image.manifestDigest, JSON.stringify(image.layers), image.size, image.created, image.parent ?? null);
      const tag = this.db.prepare('INSERT OR REPLACE INTO image_tags (ref, image_id) VALUES (?, ?)');
      for (const t of tags) tag.run(t, image.id);
      const dig = this.db.prepare('INSERT OR REPLACE INTO image_digests (ref, image_id) VALUES (?, ?)');
      for (const d of digests) dig.run(d, image.id);
    })();
  }

  setTag(ref: string, imageId: string): void {
    this.db.prepare('INSERT OR REPLACE INTO image_tags (ref, image_id) VALUES (?, ?)').run(ref, imageId);
  }

  removeTag(ref: string): boolean {
    return this.db.prepare('DELETE FROM image_tags WHERE ref = ?').run(ref).changes > 0;
  }

  removeDigest(ref: string): boolean {
    return this.db.prepare('DELETE FROM image_digests WHERE ref = ?').run(ref).changes > 0;
  }

  /** Deletes an image with its tags and digests. */
  remove(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM image_tags WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM image_digests WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
    })();
  }

  getLayer(chainId: string): LayerRow | undefined {
    const r = this.db.prepare('SELECT * FROM layers WHERE chain_id = ?').get(chainId) as RawLayer | undefined;
    return r && toLayer(r);
  }

  putLayer(row: LayerRow): void {
    this.db
      .prepare('INSERT OR REPLACE INTO layers (chain_id, diff_id, parent, size, short) VALUES (?, ?, ?, ?, ?)')
      .run(row.chainId, row.diffId, row.parent, row.size, row.short);
  }

  removeLayer(chainId: string): void {
    this.db.prepare('DELETE FROM layers WHERE chain_id = ?').run(chainId);
  }

  /** Sets layers' sizes, with the per-layer and total sizes of every image that has them. */
  setLayerSizes(sizes: Map<string, number>): void {
    if (sizes.size === 0) return;
    this.db.transaction(() => {
      const setLayer = this.db.prepare('UPDATE layers SET size = ? WHERE chain_id = ?');
      for (const [chainId, size] of sizes) setLayer.run(size, chainId);
      const setImage = this.db.prepare('UPDATE images SET layers = ?, size = ? WHERE id = ?');
      for (const r of this.db.prepare('SELECT id, layers FROM images').all() as { id: string; layers: string }[]) {
        const layers = JSON.parse(r.layers) as ImageLayerRef[];
        if (!layers.some((l) => sizes.has(l.chainId))) continue;
        for (const l of layers) l.size = sizes.get(l.chainId) ?? l.size;
        setImage.run(JSON.stringify(layers), layers.reduce((a, l) => a + l.size, 0), r.id);
      }
    })();
  }

  allLayers(): LayerRow[] {
    return (this.db.prepare('SELECT * FROM layers').all() as RawLayer[]).map(toLayer);
  }

  /** Whether any stored image still uses the layer. */
  /** Images made from this one here (commit, build steps). */
  childrenOf(id: string): string[] {
    return (this.db.prepare('SELECT id FROM images WHERE parent = ?').all(id) as { id: string }[]).map((r) => r.id);
  }

  layerInUse(chainId: string): boolean {
    return this.db.prepare("SELECT 1 FROM images WHERE instr(layers, ?) > 0 LIMIT 1").get(`"chainId":"${chainId}"`) !== undefined;
  }
}
