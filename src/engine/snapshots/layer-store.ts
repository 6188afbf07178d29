import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathSize } from '../../common/directory-size.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { ImageRepository, LayerRow } from '../../store/image-repository.js';

// Unpacked layers, one directory per chain ID under overlay/, each with a short link in
// overlay/l/ so long stacks fit in mount(2)'s one-page option string.

const SHORT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function shortName(): string {
  const bytes = randomBytes(10);
  let s = '';
  for (const b of bytes) s += SHORT_ALPHABET[b % SHORT_ALPHABET.length];
  return s;
}

/** Where an unpack in progress lives until it is renamed to overlay/<chain-hex>. */
const TMP_PREFIX = '.tmp-';
const LAYER_DIR_RE = /^[a-f0-9]{64}$/;

export interface RemovedLayerLeftover {
  path: string;
  bytes: number;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface LayerSpec {
  chainId: string;
  diffId: string;
  parent: string | null;
}

/**
 * Marks the overlay root as the top of directory hierarchies (`chattr +T`), so ext4's Orlov
 * allocator places each new layer directory in a roomy block group of its own rather than beside
 * its siblings. This matters after a layer is deleted: on an ext4 without a journal, inode
 * allocation skips inodes freed in the last minutes one by one, and a layer extracted into the
 * group a deleted layer just vacated pays a scan of the whole group for every file it creates
 * (several seconds for a distro layer). Elsewhere the flag is harmless, and where the filesystem
 * has no such flag chattr fails and nothing changes.
 */
function spreadLayers(root: string): Promise<void> {
  return new Promise((resolve) => {
    execFile('chattr', ['+T', root], { timeout: 5000 }, () => resolve());
  });
}

export class LayerStore {
  private readonly inflight = new Map<string, Promise<LayerRow>>();
  /** Temp directories of unpacks under way: never removed as leftovers. */
  private readonly unpacking = new Set<string>();
  private rootReady: Promise<void> | undefined;

  constructor(
    private readonly paths: BerthPaths,
    private readonly repo: ImageRepository,
    private readonly logger: Logger,
  ) {}

  /** The layer's row, if it is unpacked and on disk. */
  get(chainId: string): LayerRow | undefined {
    const row = this.repo.getLayer(chainId);
    return row && existsSync(this.paths.layerDiff(chainId)) ? row : undefined;
  }

  isBusy(chainId: string): boolean {
    return this.inflight.has(chainId);
  }

  /**
   * Unpacks a layer once. `produce` fills a fresh directory; it is renamed into place only when it
   * resolves. Concurrent callers for the same chain ID wait for the one unpack under way.
   */
  async ensure(spec: LayerSpec, produce: (diffDir: string) => Promise<{ size: number }>): Promise<{ row: LayerRow; created: boolean }> {
    for (;;) {
      const existing = this.get(spec.chainId);
      if (existing) return { row: existing, created: false };
      const running = this.inflight.get(spec.chainId);
      if (!running) break;
      try {
        return { row: await running, created: false };
      } catch {
        // The other unpack failed; try ourselves.
      }
    }
    const job = this.unpack(spec, produce);
    this.inflight.set(spec.chainId, job);
    try {
      return { row: await job, created: true };
    } finally {
      this.inflight.delete(spec.chainId);
    }
  }

  private async unpack(spec: LayerSpec, produce: (diffDir: string) => Promise<{ size: number }>): Promise<LayerRow> {
    const root = this.paths.overlayRoot;
    mkdirSync(this.paths.shortLinks, { recursive: true });
    await (this.rootReady ??= spreadLayers(root));
    const tmp = join(root, `${TMP_PREFIX}${spec.chainId.replace(/^sha256:/, '').slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    this.unpacking.add(tmp);
    mkdirSync(tmp, { mode: 0o700 });
    try {
      const { size } = await produce(join(tmp, 'diff'));
      const dir = this.paths.layerDir(spec.chainId);
      // A directory without a row is a leftover of a crash: replace it.
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
      const old = this.repo.getLayer(spec.chainId);
      const short = old?.short ?? shortName();
      const link = this.paths.shortLink(short);
      if (!existsSync(link)) symlinkSync(`../${spec.chainId.replace(/^sha256:/, '')}/diff`, link);
      const row: LayerRow = { chainId: spec.chainId, diffId: spec.diffId, parent: spec.parent, size, short };
      this.repo.putLayer(row);
      this.logger.debug({ chainId: spec.chainId, size }, 'layer unpacked');
      return row;
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    } finally {
      this.unpacking.delete(tmp);
    }
  }

  /**
   * Removes what killed unpacks left under overlay/: temp directories of unpacks not under way,
   * and at start-up (`startup`, when nothing is unpacking) also layer directories that never got
   * their row (a kill between rename and insert) and short links that point nowhere.
   */
  removeLeftovers(opts: { startup: boolean }): RemovedLayerLeftover[] {
    const root = this.paths.overlayRoot;
    const out: RemovedLayerLeftover[] = [];
    const drop = (path: string): void => {
      const bytes = pathSize(path);
      rmSync(path, { recursive: true, force: true });
      out.push({ path, bytes });
    };
    for (const name of safeReaddir(root)) {
      const path = join(root, name);
      if (name.startsWith(TMP_PREFIX)) {
        if (!this.unpacking.has(path)) drop(path);
      } else if (opts.startup && LAYER_DIR_RE.test(name) && !this.repo.getLayer(`sha256:${name}`)) {
        drop(path);
      }
    }
    if (opts.startup) {
      for (const name of safeReaddir(this.paths.shortLinks)) {
        const link = this.paths.shortLink(name);
        try {
          statSync(link);
        } catch {
          drop(link);
        }
      }
    }
    return out;
  }

  /** Deletes an unpacked layer, its short link and its row. */
  remove(chainId: string): void {
    const row = this.repo.getLayer(chainId);
    if (row) {
      try {
        unlinkSync(this.paths.shortLink(row.short));
      } catch {
        // already gone
      }
    }
    rmSync(this.paths.layerDir(chainId), { recursive: true, force: true });
    this.repo.removeLayer(chainId);
  }
}
