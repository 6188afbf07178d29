import { join } from 'node:path';

// Where berth keeps things on disk, drawn in one place (as distribution's paths.go does).
//
// /var/lib/berth/              data-root
//   berth.db                   SQLite: images, tags, containers, networks, volumes, image history
//   content/blobs/sha256/<hex> verified blobs (manifests, configs, compressed layers)
//   content/ingest/sha256-<hex> partial downloads, resumed with HTTP Range (removed after a day)
//   content/ingest/<label>-…   scratch files of load/save/import (removed at start-up)
//   overlay/<chain-hex>/diff   each unpacked layer once, shared by every image that has it
//   overlay/.tmp-<chain>-<rnd> an unpack under way, renamed to <chain-hex> when done (removed at start-up)
//   overlay/l/<short>          short symlinks -> ../<chain-hex>/diff, keep overlay option strings small
//   overlay/empty              the lower directory of images without layers
//   containers/<id>/           upper/, work/, merged/, bundle/config.json, hostname, hosts, resolv.conf
//   tmp-build-<rnd>/           a build's unpacked context (removed when the build ends)
//   backup-tmp/                a restore's scratch files (removed at start-up)
//   engine-id                  this engine's ID, made on first start
//   volumes/<name>/_data
// /run/berth/                  exec-root
//   berth.sock, berthd.pid     API socket, pid file
//   containers/<id>/           conmon pid, exit dir, attach socket links
//   netns/<id>                 network namespaces of containers
export class BerthPaths {
  constructor(
    readonly dataRoot: string,
    readonly execRoot: string,
  ) {}

  get database(): string {
    return join(this.dataRoot, 'berth.db');
  }
  get contentRoot(): string {
    return join(this.dataRoot, 'content');
  }
  get blobsRoot(): string {
    return join(this.contentRoot, 'blobs');
  }
  blob(digest: string): string {
    const [alg, hex] = digest.split(':');
    return join(this.blobsRoot, alg!, hex!);
  }
  get ingestDir(): string {
    return join(this.contentRoot, 'ingest');
  }
  /** The partial download of a blob, resumed with HTTP Range. */
  ingestFile(digest: string): string {
    return join(this.ingestDir, digest.replace(':', '-'));
  }
  get overlayRoot(): string {
    return join(this.dataRoot, 'overlay');
  }
  layerDir(chainId: string): string {
    return join(this.overlayRoot, chainId.replace(/^sha256:/, ''));
  }
  layerDiff(chainId: string): string {
    return join(this.layerDir(chainId), 'diff');
  }
  get shortLinks(): string {
    return join(this.overlayRoot, 'l');
  }
  shortLink(short: string): string {
    return join(this.shortLinks, short);
  }
  /** The lower directory of images without layers (overlayfs needs one). */
  get emptyLower(): string {
    return join(this.overlayRoot, 'empty');
  }
  containerDir(id: string): string {
    return join(this.dataRoot, 'containers', id);
  }
  /** The container's writable overlay layer. */
  containerUpperDir(id: string): string {
    return join(this.containerDir(id), 'upper');
  }
  containerWorkDir(id: string): string {
    return join(this.containerDir(id), 'work');
  }
  /** Where the container's root filesystem is mounted. */
  containerMergedDir(id: string): string {
    return join(this.containerDir(id), 'merged');
  }
  containerBundleDir(id: string): string {
    return join(this.containerDir(id), 'bundle');
  }
  /** mkdtemp's prefix for a build's context directory. */
  get buildContextPrefix(): string {
    return join(this.dataRoot, 'tmp-build-');
  }
  get backupScratchDir(): string {
    return join(this.dataRoot, 'backup-tmp');
  }
  get engineIdFile(): string {
    return join(this.dataRoot, 'engine-id');
  }
  get volumesRoot(): string {
    return join(this.dataRoot, 'volumes');
  }
  volumeData(name: string): string {
    return join(this.volumesRoot, name, '_data');
  }
  get pidFile(): string {
    return join(this.execRoot, 'berthd.pid');
  }
  containerRunDir(id: string): string {
    return join(this.execRoot, 'containers', id);
  }
  netns(id: string): string {
    return join(this.execRoot, 'netns', id);
  }
}
