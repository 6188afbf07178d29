import type { CreateBody } from '../containers/container-create.js';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { TarReader, type TarHeader } from '../../common/archive/tar-reader.js';
import { ConflictError, InvalidArgumentError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { isVolumeMount, type ContainerRecord } from '../containers/container-model.js';
import type { ContainerService } from '../containers/container-service.js';
import type { ExecService } from '../containers/exec-service.js';
import type { NetworkService } from '../networks/network-service.js';
import { ANONYMOUS_LABEL, type VolumeService } from '../volumes/volume-service.js';
import { BACKUP_FORMAT_VERSION, MANIFEST_NAME, type BackupManifest, type BackupNetwork, type BackupVolume } from './backup-manifest.js';
import { memberHash } from './member-digest.js';
import { END_OF_ARCHIVE, encodeHeader, padding } from './tar-header.js';
import { SlabPool } from './slab-pool.js';
import { packTree } from './tree-pack.js';
import { zstdCompress } from './zstd-stream.js';

// `berth backup`: one zstd-compressed tar of a container — image (OCI layout), volumes, its own
// rootfs changes — and, last, the manifest with the create request and every member's digest.

export type Consistency = 'pause' | 'stop' | 'live';

export interface BackupOptions {
  image: boolean;
  rootfs: boolean;
  consistency: Consistency;
  /** Diff IDs of image layers to leave out (the destination of a migration has them). */
  omitLayers?: string[];
}

export interface BackupDeps {
  containers: ContainerService;
  exec: ExecService;
  volumes: VolumeService;
  networks: NetworkService;
  /** `docker save` of one image (a docker archive that is also an OCI layout). */
  saveImage(ref: string): Readable;
  /** repo@digest references of an image. */
  repoDigests(imageId: string): string[];
  /** The diff IDs of an image's layers, bottom first. */
  layerDiffIds(imageId: string): string[];
  /** Whether `ref` names the image with this id. */
  resolvesTo(ref: string, imageId: string): boolean;
  upperDir(containerId: string): string;
  berthVersion: string;
  logger: Logger;
}

export const PRE_LABEL = 'berth.backup.pre';
export const POST_LABEL = 'berth.backup.post';
const PREDEFINED = new Set(['bridge', 'host', 'none']);

/** Runs a hook label's command in the container with sh -c; a failure stops the backup. */
async function runHook(d: BackupDeps, c: ContainerRecord, label: string): Promise<void> {
  const cmd = (c.Config.Labels ?? {})[label];
  if (!cmd) return;
  if (!d.containers.get(c.Id).State.Running) return;
  const { Id } = d.exec.create(c.Id, { Cmd: ['sh', '-c', cmd], AttachStdout: false, AttachStderr: false });
  const { exit } = await d.exec.start(Id, { detach: true });
  const code = await exit;
  if (code !== 0) throw new ConflictError(`backup hook ${label} (${JSON.stringify(cmd)}) exited with status ${code}`);
}

/** The create request that makes the container again, from what berth keeps of it. */
export function createRequestOf(c: ContainerRecord): CreateBody {
  return {
    ...structuredClone(c.Config),
    HostConfig: structuredClone(c.HostConfig),
    NetworkingConfig: { EndpointsConfig: structuredClone(c.endpointsConfig ?? {}) },
  };
}

function networksOf(d: BackupDeps, c: ContainerRecord): BackupNetwork[] {
  const out: BackupNetwork[] = [];
  for (const [name, ep] of Object.entries(c.NetworkSettings.Networks ?? {})) {
    const n: BackupNetwork = {
      name,
      aliases: ep.Aliases ?? null,
      ipAddress: ep.IPAddress ?? '',
      ipamConfig: ep.IPAMConfig ?? null,
      macAddress: ep.MacAddress ?? '',
    };
    if (!PREDEFINED.has(name)) {
      try {
        const net = d.networks.inspect(name);
        n.create = {
          Name: net.Name,
          Driver: net.Driver,
          Internal: net.Internal,
          Attachable: net.Attachable,
          EnableIPv6: net.EnableIPv6,
          IPAM: net.IPAM,
          Options: net.Options,
          Labels: net.Labels,
        };
      } catch {
        // Gone since the container joined it: the restore will say so if it is needed.
      }
    }
    out.push(n);
  }
  return out;
}

/**
 * Whether the container got this volume without naming it (`-v /path`, an image VOLUME): the
 * restored container then gets a fresh one at the same place, filled from the backup.
 */
function isAnonymous(c: ContainerRecord, name: string, labels: Record<string, string> | null): boolean {
  if (labels?.[ANONYMOUS_LABEL] !== undefined) return true;
  if (!/^[0-9a-f]{64}$/.test(name)) return false;
  const binds = (c.HostConfig.Binds ?? []) as string[];
  const mounts = (c.HostConfig.Mounts ?? []) as { Source?: string }[];
  return !binds.some((b) => b.split(':')[0] === name) && !mounts.some((m) => m.Source === name);
}

function volumesOf(d: BackupDeps, c: ContainerRecord): BackupVolume[] {
  return c.Mounts.filter(isVolumeMount).filter((m) => m.Name).map((m) => {
    const v = d.volumes.get(m.Name);
    return {
      name: m.Name,
      anonymous: isAnonymous(c, m.Name, v.Labels),
      destination: m.Destination,
      driver: v.Driver,
      labels: v.Labels,
      options: v.Options,
      member: `volumes/${m.Name}`,
    };
  });
}

/** Entries of another tar, renamed under `prefix`, with their digests (read by the common tar reader). */
async function* repack(input: Readable, prefix: string, digests: Map<string, string>, omit: Set<string> = new Set()): AsyncGenerator<Buffer> {
  const out: Buffer[] = [];
  const reader = new TarReader((header: TarHeader) => {
    if (header.type === 'unknown' || header.type === 'contiguous-file') throw new InvalidArgumentError(`unexpected ${header.type} entry ${header.name} in image archive`);
    const rel = header.name.replace(/^\.?\//, '');
    // A layer blob the destination has: read past it, send nothing.
    if (header.type === 'file' && omit.has(rel)) return { write: () => undefined, end: () => undefined };
    const name = `${prefix}/${rel}`;
    const linkname = header.type === 'link' ? `${prefix}/${(header.linkname ?? '').replace(/^\.?\//, '')}` : (header.linkname ?? undefined);
    const pax = new Map([...(header.paxBytes ?? [])].filter(([k]) => !['path', 'linkpath', 'size'].includes(k)));
    const size = header.type === 'file' ? header.size : 0;
    const h = { name, type: header.type, mode: header.mode & 0o7777, uid: header.uid, gid: header.gid, size, mtime: Math.floor(header.mtime.getTime() / 1000), linkname, devmajor: header.devmajor, devminor: header.devminor, pax };
    const hash = memberHash({ ...h, linkname: linkname ?? '', devmajor: 0, devminor: 0, pax: [...pax] });
    out.push(encodeHeader(h));
    const end = (): void => {
      out.push(padding(size));
      digests.set(name, hash.digest('hex'));
    };
    if (header.type !== 'file') {
      end();
      return undefined;
    }
    return {
      write: (b: Buffer) => {
        hash.update(b);
        out.push(b);
      },
      end,
    };
  });
  for await (const chunk of input) {
    reader.push(chunk as Buffer);
    if (out.length) yield* out.splice(0);
  }
  reader.end();
  yield* out.splice(0);
}

/**
 * Checks the container and runs the pre hook, then hands back the archive stream; the copy (and
 * the pause or stop around it) happens as the stream is read.
 */
export async function createBackup(d: BackupDeps, ref: string, o: BackupOptions): Promise<Readable> {
  const c = d.containers.get(ref);
  if (c.HostConfig.NetworkMode?.startsWith('container:')) throw new InvalidArgumentError('cannot back up a container that shares another container\'s network');
  await runHook(d, c, PRE_LABEL);
  const digests = new Map<string, string>();
  const manifest: BackupManifest = {
    formatVersion: BACKUP_FORMAT_VERSION,
    berthVersion: d.berthVersion,
    sourceHost: hostname(),
    created: new Date().toISOString(),
    container: { id: c.Id, name: c.Name.replace(/^\//, ''), create: createRequestOf(c) },
    networks: networksOf(d, c),
    image: {
      reference: c.Config.Image,
      id: c.Image,
      repoDigest: d.repoDigests(c.Image)[0] ?? null,
      included: o.image,
    },
    volumes: volumesOf(d, c),
    rootfs: o.rootfs,
    members: {},
  };
  const layers = new Set(d.layerDiffIds(c.Image));
  const omitted = o.image ? [...new Set(o.omitLayers ?? [])].filter((l) => layers.has(l)) : [];
  if (omitted.length) manifest.image.omittedLayers = omitted;
  if (!o.image && !manifest.image.repoDigest) {
    throw new InvalidArgumentError(`image ${c.Config.Image} has no registry digest (it was built or loaded here): back it up with its image`);
  }

  async function* entries(): AsyncGenerator<Buffer> {
    if (o.image) {
      const ref = d.resolvesTo(c.Config.Image, c.Image) ? c.Config.Image : c.Image;
      yield* repack(d.saveImage(ref), 'image', digests, new Set(omitted.map((l) => `blobs/sha256/${l.replace(/^sha256:/, '')}`)));
    }
    const state = d.containers.get(c.Id).State;
    let resume: (() => Promise<void>) | undefined;
    if (state.Running && !state.Paused && o.consistency === 'pause') {
      await d.containers.pause(c.Id);
      resume = () => d.containers.unpause(c.Id);
    } else if (state.Running && o.consistency === 'stop') {
      await d.containers.stop(c.Id);
      resume = () => d.containers.start(c.Id);
    }
    try {
      for (const v of manifest.volumes) yield* packTree(d.volumes.path(v.name), { prefix: v.member, digests, slabs });
      const upper = d.upperDir(c.Id);
      if (o.rootfs && existsSync(upper)) yield* packTree(upper, { prefix: 'rootfs', digests, slabs });
      else manifest.rootfs = false;
    } finally {
      await resume?.().catch((err: unknown) => d.logger.error({ err, id: c.Id }, 'backup: could not resume the container'));
    }
    await runHook(d, c, POST_LABEL);
    manifest.members = Object.fromEntries(digests);
    const body = Buffer.from(JSON.stringify(manifest, null, 1));
    yield encodeHeader({ name: MANIFEST_NAME, type: 'file', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: Math.floor(Date.now() / 1000) });
    yield body;
    yield padding(body.length);
    yield END_OF_ARCHIVE;
  }
  const slabs = new SlabPool();
  return zstdCompress(entries(), { release: (b) => slabs.release(b) });
}

