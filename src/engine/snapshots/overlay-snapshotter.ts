import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { directorySize } from '../../common/directory-size.js';
import { NotFoundError, SystemError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';

// Container root filesystems: an overlay of the image's unpacked layers (through their short
// links, with mount run from the overlay root so the option string stays under one page) and
// the container's own upper and work directories.

/** What the snapshotter needs of the image store: an image's layers, bottom first, with their short links. */
export interface ImageLayerSource {
  layerLinks(imageId: string): { chainId: string; short: string | undefined }[] | undefined;
}

export interface OverlaySnapshotterOptions {
  paths: BerthPaths;
  images: ImageLayerSource;
  logger: Logger;
}

function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new SystemError(`${cmd}: ${stderr.trim() || `exit ${code}`}`))));
  });
}

/** Mount points in /proc/self/mountinfo, unescaped. */
function mountPoints(): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const field = line.split(' ')[4];
    if (field) out.add(field.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

export class OverlaySnapshotter {
  private readonly paths: BerthPaths;
  private readonly images: ImageLayerSource;
  private readonly logger: Logger;

  constructor(opts: OverlaySnapshotterOptions) {
    this.paths = opts.paths;
    this.images = opts.images;
    this.logger = opts.logger;
  }

  private dirs(containerId: string): { upper: string; work: string; merged: string } {
    const p = this.paths;
    return { upper: p.containerUpperDir(containerId), work: p.containerWorkDir(containerId), merged: p.containerMergedDir(containerId) };
  }

  /** The unpacked diff directories of an image, bottom layer first. */
  layerPaths(imageId: string): string[] {
    const layers = this.images.layerLinks(imageId);
    if (!layers) throw new NotFoundError(`No such image: ${imageId}`);
    return layers.map((l) => this.paths.layerDiff(l.chainId));
  }

  /** Bytes the container wrote: its upper directory (SizeRw). */
  usage(containerId: string): number {
    return directorySize(this.paths.containerUpperDir(containerId));
  }

  /** Makes containers/<id>/{upper,work,merged}. */
  async createContainerLayer(containerId: string, imageId: string): Promise<void> {
    if (!this.images.layerLinks(imageId)) throw new NotFoundError(`No such image: ${imageId}`);
    const d = this.dirs(containerId);
    for (const dir of [d.upper, d.work, d.merged]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  }

  /** Mounts the container's rootfs and returns the merged path; a no-op if already mounted. */
  async mountContainerLayer(containerId: string, imageId: string): Promise<string> {
    const d = this.dirs(containerId);
    if (mountPoints().has(d.merged)) return d.merged;
    const layers = this.images.layerLinks(imageId);
    if (!layers) throw new NotFoundError(`No such image: ${imageId}`);
    const lowers: string[] = [];
    for (const layer of [...layers].reverse()) {
      if (!layer.short) throw new SystemError(`layer ${layer.chainId} of image ${imageId} is missing`);
      lowers.push(`l/${layer.short}`);
    }
    if (lowers.length === 0) {
      // overlayfs needs at least one lower directory: images from scratch get an empty one.
      mkdirSync(this.paths.emptyLower, { recursive: true, mode: 0o755 });
      lowers.push(basename(this.paths.emptyLower));
    }
    for (const dir of [d.upper, d.work, d.merged]) mkdirSync(dir, { recursive: true, mode: 0o755 });
    const options = `lowerdir=${lowers.join(':')},upperdir=${d.upper},workdir=${d.work}`;
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, d.merged], this.paths.overlayRoot);
    this.logger.debug({ containerId, layers: lowers.length }, 'container rootfs mounted');
    return d.merged;
  }

  /** Unmounts the container's rootfs (detached, as Docker does); a no-op if not mounted. */
  async unmountContainerLayer(containerId: string): Promise<void> {
    const d = this.dirs(containerId);
    if (!mountPoints().has(d.merged)) return;
    await run('umount', ['-l', d.merged]);
  }

  /** Unmounts and deletes the container's upper, work and merged directories. */
  async removeContainerLayer(containerId: string): Promise<void> {
    await this.unmountContainerLayer(containerId);
    const d = this.dirs(containerId);
    for (const dir of [d.merged, d.work, d.upper]) rmSync(dir, { recursive: true, force: true });
  }
}
