import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BerthError, ConflictError, InvalidArgumentError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { RestoreResult } from '../../common/restore-result.js';
import type { ContainerService } from '../containers/container-service.js';
import { isVolumeMount } from '../containers/container-model.js';
import type { NetworkService } from '../networks/network-service.js';
import type { VolumeService } from '../volumes/volume-service.js';
import { BACKUP_FORMAT_VERSION, MANIFEST_NAME, type BackupManifest } from './backup-manifest.js';
import { extractTar } from '../../common/archive/extract.js';
import { BACKUP_EXTRACT } from './backup-extract.js';
import { digestObserver } from './member-digest.js';
import { treeTarStream } from './tree-pack.js';
import type { LayerSource } from './layer-negotiation.js';
import { parseProbe } from '../revisions/app-probe.js';
import { passGate, type GateOptions } from '../revisions/health-gate.js';

// `berth restore`: the archive goes to a scratch directory under data-root first and every
// member is checked against the manifest; only then are the image, networks, volumes and the
// container made. Volume contents and rootfs changes are renamed into place (same filesystem).
// Any failure removes what this restore made.

export interface RestoreOptions {
  name?: string;
  start: boolean;
  replaceVolumes: boolean;
  /**
   * With start: the health gate of upgrades the started container must pass, or the restore fails
   * and removes what it made (migrate stops its source only after this).
   */
  gate?: RestoreGate;
}

export interface RestoreGate {
  healthTimeoutMs?: number;
  waitMs?: number;
  /** http://:PORT/PATH or tcp://:PORT, checked against the container's address. */
  probe?: string;
}

// The defaults of `berth upgrade`: healthy within 2 minutes, or running without a restart for 10 s.
const GATE_HEALTH_TIMEOUT_MS = 120_000;
const GATE_WAIT_MS = 10_000;

function gateOptions(g: RestoreGate): GateOptions {
  return { healthTimeoutMs: g.healthTimeoutMs ?? GATE_HEALTH_TIMEOUT_MS, waitMs: g.waitMs ?? GATE_WAIT_MS, probe: g.probe ? parseProbe(g.probe) : undefined };
}

export interface RestoreDeps {
  containers: ContainerService;
  volumes: VolumeService;
  networks: NetworkService;
  /** Loads a docker/OCI image archive. */
  loadImage(body: Readable): Promise<void>;
  /** Pulls repo@digest. */
  pullImage(ref: string): Promise<void>;
  /** The image id a reference names, if any. */
  imageIdOf(ref: string): string | undefined;
  tagImage(id: string, reference: string): void;
  /** Removes an image this restore brought (a failed restore leaves the destination as it was). */
  removeImage(id: string): void;
  /** Where the layers an archive left out come from. */
  layers: LayerSource;
  upperDir(containerId: string): string;
  /** Scratch space on the data-root's filesystem. */
  scratchDir: string;
  logger: Logger;
}

function refused(why: string): InvalidArgumentError {
  return new InvalidArgumentError(`backup archive refused: ${why}; nothing was restored`);
}

/** Reads the archive into `dir` and checks it against its manifest. */
async function unpackVerified(body: Readable, dir: string): Promise<BackupManifest> {
  const digests = new Map<string, string>();
  try {
    await extractTar(body, dir, BACKUP_EXTRACT, { observe: digestObserver(digests) });
  } catch (err) {
    throw refused(`it could not be read (${errorMessage(err)}), it is truncated or corrupt`);
  }
  const file = join(dir, MANIFEST_NAME);
  if (!existsSync(file)) throw refused('it has no manifest (it is truncated or not a berth backup)');
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  } catch {
    throw refused('its manifest is not valid JSON');
  }
  if (m.formatVersion !== BACKUP_FORMAT_VERSION) throw refused(`format version ${m.formatVersion} is not supported (want ${BACKUP_FORMAT_VERSION})`);
  digests.delete(MANIFEST_NAME);
  for (const [name, sum] of Object.entries(m.members ?? {})) {
    const got = digests.get(name);
    if (got === undefined) throw refused(`member ${JSON.stringify(name)} is missing`);
    if (got !== sum) throw refused(`checksum mismatch for ${JSON.stringify(name)}`);
    digests.delete(name);
  }
  const extra = digests.keys().next();
  if (!extra.done) throw refused(`member ${JSON.stringify(extra.value)} is not in the manifest`);
  return m;
}

/** Puts the layer blobs a migration left out back into the image layout, from the local store. */
async function restoreOmittedLayers(d: RestoreDeps, m: BackupManifest, layout: string): Promise<void> {
  const omitted = m.image.omittedLayers ?? [];
  const bad = omitted.find((l) => typeof l !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(l));
  if (bad !== undefined) throw refused(`invalid omitted layer ${JSON.stringify(bad)}`);
  const here = new Set(d.layers.have(omitted));
  const missing = omitted.find((l) => !here.has(l));
  if (missing) throw new InvalidArgumentError(`the backup leaves out image layer ${missing}, which is not here: back it up with the whole image`);
  for (const l of omitted) await d.layers.writeLayer(l, join(layout, 'blobs', 'sha256', l.slice('sha256:'.length)));
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: host || '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Name, volume and published-port conflicts, found before anything is made. */
async function preflight(d: RestoreDeps, m: BackupManifest, name: string, o: RestoreOptions): Promise<void> {
  const holder = d.containers.list().find((c) => c.Name === `/${name}`);
  if (holder) {
    throw new ConflictError(`Conflict. The container name "/${name}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`);
  }
  for (const v of m.volumes) {
    if (!v.anonymous && d.volumes.exists(v.name) && !o.replaceVolumes) {
      throw new ConflictError(`volume ${v.name} already exists: remove it, or restore with --replace-volumes to replace its contents`);
    }
  }
  const bindings = (m.container.create.HostConfig?.PortBindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  for (const [key, list] of Object.entries(bindings)) {
    const proto = key.split('/')[1] ?? 'tcp';
    for (const b of list ?? []) {
      const port = Number(b.HostPort);
      if (!port) continue;
      const taken = d.containers.list().some(
        (c) =>
          (c.State.Running || c.State.Restarting) &&
          Object.entries((c.HostConfig.PortBindings ?? {}) as typeof bindings).some(
            ([k, l]) => (k.split('/')[1] ?? 'tcp') === proto && (l ?? []).some((x) => Number(x.HostPort) === port && (!x.HostIp || !b.HostIp || x.HostIp === b.HostIp)),
          ),
      );
      if (taken || (proto === 'tcp' && !(await portFree(port, b.HostIp ?? '')))) {
        throw new ConflictError(`Bind for ${b.HostIp || '0.0.0.0'}:${port} failed: port is already allocated`);
      }
    }
  }
}

/** Moves a verified directory into a volume's _data, replacing what it held. */
function fillVolume(d: RestoreDeps, from: string, volume: string): void {
  const data = d.volumes.path(volume);
  rmSync(data, { recursive: true, force: true });
  if (existsSync(from)) renameSync(from, data);
  else mkdirSync(data, { mode: 0o755 });
}

export async function restoreBackup(d: RestoreDeps, body: Readable, o: RestoreOptions): Promise<RestoreResult> {
  const gate = o.start && o.gate ? gateOptions(o.gate) : undefined;
  const dir = join(d.scratchDir, `restore-${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const undo: (() => Promise<unknown> | unknown)[] = [];
  const warnings: string[] = [];
  const createdVolumes: string[] = [];
  const createdNetworks: string[] = [];
  try {
    const m = await unpackVerified(body, dir);
    const name = (o.name ?? m.container.name).replace(/^\//, '');
    await preflight(d, m, name, o);

    // The image: from the archive, or pulled by digest.
    const create = m.container.create;
    if (d.imageIdOf(m.image.reference) !== m.image.id) {
      if (d.imageIdOf(m.image.id) === undefined) undo.push(() => d.removeImage(m.image.id));
      if (m.image.included) {
        await restoreOmittedLayers(d, m, join(dir, 'image'));
        await d.loadImage(treeTarStream(join(dir, 'image')));
      } else if (d.imageIdOf(m.image.id) === undefined) {
        if (!m.image.repoDigest) throw new InvalidArgumentError('the backup holds no image and no digest to pull it by');
        await d.pullImage(m.image.repoDigest);
      }
      if (d.imageIdOf(m.image.id) === undefined) throw new BerthError(`image ${m.image.id} is not there after loading it`);
      try {
        d.tagImage(m.image.id, m.image.reference);
      } catch {
        // An id or digest reference cannot be a tag: the container names the image by it anyway.
      }
    }

    for (const n of m.networks) {
      if (!n.create) continue;
      try {
        d.networks.inspect(n.name);
      } catch {
        const { Id } = await d.networks.create(n.create as never);
        undo.push(() => d.networks.remove(Id));
        createdNetworks.push(n.name);
      }
    }
    for (const v of m.volumes) {
      if (v.anonymous) continue;
      if (!d.volumes.exists(v.name)) {
        d.volumes.create({ Name: v.name, Driver: v.driver, DriverOpts: v.options, Labels: v.labels });
        undo.push(() => d.volumes.remove(v.name, { force: true }));
        createdVolumes.push(v.name);
      }
      fillVolume(d, join(dir, v.member), v.name);
    }

    const { Id } = await d.containers.create({ name, body: create });
    undo.push(() => d.containers.remove(Id, { force: true, volumes: true }));
    const c = d.containers.get(Id);
    for (const v of m.volumes.filter((x) => x.anonymous)) {
      const mount = c.Mounts.filter(isVolumeMount).find((x) => x.Destination === v.destination);
      if (mount) fillVolume(d, join(dir, v.member), mount.Name);
      else warnings.push(`no volume at ${v.destination} in the restored container: the backup of ${v.name} was not used`);
    }
    if (m.rootfs && existsSync(join(dir, 'rootfs'))) {
      const upper = d.upperDir(Id);
      rmSync(upper, { recursive: true, force: true });
      renameSync(join(dir, 'rootfs'), upper);
    }
    if (o.start) await d.containers.start(Id);
    if (gate) {
      const verdict = await passGate(() => d.containers.get(Id), gate, () => undefined);
      if (!verdict.ok) throw new ConflictError(`the restored container failed the health gate (${verdict.reason}); what the restore made was removed`);
    }
    return { Id, Name: name, Warnings: warnings, CreatedVolumes: createdVolumes, CreatedNetworks: createdNetworks };
  } catch (err) {
    for (const u of undo.reverse()) {
      try {
        await u();
      } catch (e) {
        d.logger.warn({ err: e }, 'restore: undo failed');
      }
    }
    throw err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
