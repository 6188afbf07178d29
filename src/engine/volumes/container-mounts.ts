import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { ContainerConfig, HostConfig, MountRequest } from '../containers/container-model.js';
import type { ContainerMounts, MountPoint } from '../containers/ports.js';
import type { OciMount } from '../runtime/oci-spec.js';
import { copyOwnership, copyTree } from './copy-tree.js';
import {
  mergeTmpfsOptions,
  parseBind,
  parseMountSpec,
  parseVolumesFrom,
  tmpfsData,
  validateTmpfsDestination,
  type ParsedMount,
} from './mount-parser.js';
import { followSymlinkInScope } from './scoped-path.js';
import { ANONYMOUS_LABEL, type VolumeService } from './volume-service.js';

type Container = { Id: string; Config?: Partial<ContainerConfig>; Mounts: MountPoint[]; HostConfig: HostConfig };

function duplicate(dest: string): InvalidArgumentError {
  return new InvalidArgumentError(`Duplicate mount point: ${dest}`);
}

/** Parents before children, as Docker sorts mounts (by number of path components). */
function byDepth(a: OciMount, b: OciMount): number {
  const depth = (p: string) => posix.normalize(p).split('/').filter(Boolean).length;
  return depth(a.destination) - depth(b.destination);
}

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/**
 * Binds, `--mount`, `--tmpfs`, `--volumes-from` and image VOLUMEs of a container, on top of the
 * volume service: what create records, what start mounts, what `rm -v` lets go.
 */
export class VolumeContainerMounts implements ContainerMounts {
  constructor(
    private readonly volumes: VolumeService,
    private readonly logger: Logger,
  ) {}

  async plan(
    c: { Id: string; Config: Partial<ContainerConfig>; HostConfig: HostConfig },
    lookupContainer: (ref: string) => { Id: string; Mounts: MountPoint[]; HostConfig: HostConfig },
  ): Promise<MountPoint[]> {
    const hc = c.HostConfig;
    const points = new Map<string, MountPoint>();
    const created: string[] = [];
    try {
      // 1. --volumes-from: the other container's mount points, made read-only on request.
      for (const spec of (hc.VolumesFrom ?? []) as string[]) {
        const { ref, mode } = parseVolumesFrom(spec);
        const from = lookupContainer(ref);
        const rw = !mode.split(',').includes('ro');
        for (const m of from.Mounts) points.set(m.Destination, { ...m, RW: m.RW && rw });
      }
      // 2. -v (Binds), overriding volumes-from at the same destination.
      const bindDests = new Set<string>();
      for (const raw of (hc.Binds ?? []) as string[]) {
        const p = parseBind(raw);
        if (bindDests.has(p.Destination)) throw duplicate(p.Destination);
        bindDests.add(p.Destination);
        points.set(p.Destination, this.toMountPoint(p, created));
      }
      // 3. --mount; a clash with a -v destination is an error.
      for (const spec of hc.Mounts ?? []) {
        const p = parseMountSpec(spec);
        if (bindDests.has(p.Destination)) throw duplicate(p.Destination);
        bindDests.add(p.Destination);
        points.set(p.Destination, this.toMountPoint(p, created));
      }
      const tmpfs = new Set<string>();
      for (const dest of Object.keys(hc.Tmpfs ?? {})) {
        const clean = validateTmpfsDestination(dest);
        if (bindDests.has(clean)) throw duplicate(clean);
        tmpfs.add(clean);
      }
      // 4. Config.Volumes (the image's VOLUMEs and `-v /path`): anonymous volumes where nothing is mounted.
      for (const dest of Object.keys(c.Config.Volumes ?? {})) {
        const clean = posix.normalize(dest).replace(/(.)\/+$/, '$1');
        if (!posix.isAbsolute(clean)) throw new InvalidArgumentError(`invalid mount path: '${dest}' mount path must be absolute`);
        if (clean === '/') throw new InvalidArgumentError("invalid specification: destination can't be '/'");
        if (points.has(clean) || tmpfs.has(clean)) continue;
        const v = this.volumes.createAnonymous();
        created.push(v.Name);
        points.set(clean, { Type: 'volume', Name: v.Name, Source: v.Mountpoint, Destination: clean, Driver: 'local', Mode: '', RW: true, Propagation: '' });
      }
    } catch (err) {
      for (const name of created) await this.volumes.remove(name, { force: true }).catch(() => undefined);
      throw err;
    }
    return [...points.values()];
  }

  private toMountPoint(p: ParsedMount, created: string[]): MountPoint {
    if (p.Type === 'bind') {
      return { Type: 'bind', Source: p.Source, Destination: p.Destination, Mode: p.Mode, RW: p.RW, Propagation: p.Propagation };
    }
    if (p.Type === 'tmpfs') {
      return { Type: 'tmpfs', Source: '', Destination: p.Destination, Mode: '', RW: p.RW, Propagation: '' };
    }
    let name = p.Name;
    if (!name) {
      const v = this.volumes.create({ Labels: { ...(p.labels ?? {}), [ANONYMOUS_LABEL]: '' }, DriverOpts: p.driverOpts });
      name = v.Name;
      created.push(name);
    } else if (!this.volumes.exists(name)) {
      this.volumes.create({ Name: name, Labels: p.labels ?? null, DriverOpts: p.driverOpts ?? null });
      created.push(name);
    }
    return {
      Type: 'volume',
      Name: name,
      Source: this.volumes.path(name),
      Destination: p.Destination,
      Driver: 'local',
      // Docker's setBindModeIfNull: a local volume without a mode shows "z".
      Mode: p.Mode || 'z',
      RW: p.RW,
      Propagation: '',
    };
  }

  /** The --mount spec or -v string a mount point came from, for options inspect does not show. */
  private origin(c: Container, dest: string): { spec?: MountRequest; bind?: ParsedMount } {
    for (const spec of c.HostConfig.Mounts ?? []) {
      if (spec.Target && posix.normalize(spec.Target).replace(/(.)\/+$/, '$1') === dest) return { spec };
    }
    for (const raw of (c.HostConfig.Binds ?? []) as string[]) {
      try {
        const p = parseBind(raw);
        if (p.Destination === dest) return { bind: p };
      } catch {
        /* validated at create */
      }
    }
    return {};
  }

  async ociMounts(c: Container, rootfs: string): Promise<OciMount[]> {
    const out: OciMount[] = [];
    for (const m of c.Mounts) {
      const origin = this.origin(c, m.Destination);
      const rw = m.RW ? 'rw' : 'ro';
      if (m.Type === 'volume') {
        if (!m.Name) continue;
        if (!this.volumes.exists(m.Name)) throw new NotFoundError(`get ${m.Name}: no such volume`);
        const dir = await this.volumes.mount(m.Name, { container: c.Id, destination: m.Destination, rw: m.RW, propagation: m.Propagation });
        const copyData = origin.spec ? !origin.spec.VolumeOptions?.NoCopy : (origin.bind?.copyData ?? true);
        let source = dir;
        const subpath = origin.spec?.VolumeOptions?.Subpath as string | undefined;
        if (subpath) {
          source = followSymlinkInScope(dir, subpath);
          try {
            statSync(source);
          } catch {
            throw new InvalidArgumentError(`cannot access path ${source}: no such file or directory`);
          }
        } else if (copyData) this.copyUp(rootfs, m.Destination, dir);
        out.push({ destination: m.Destination, type: 'bind', source, options: ['rbind', rw, m.Propagation || 'rprivate'] });
      } else if (m.Type === 'bind') {
        if (!statSync(m.Source, { throwIfNoEntry: false })) {
          // -v creates a missing host directory; --mount refuses unless bind-create-host-path.
          if (origin.spec && !origin.spec.BindOptions?.CreateMountpoint) {
            throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
          }
          mkdirSync(m.Source, { recursive: true, mode: 0o755 });
        }
        const recursive = origin.spec?.BindOptions?.NonRecursive ? 'bind' : 'rbind';
        out.push({ destination: m.Destination, type: 'bind', source: m.Source, options: [recursive, rw, m.Propagation || 'rprivate'] });
      } else if (m.Type === 'tmpfs') {
        const data = origin.spec ? tmpfsData(origin.spec.TmpfsOptions, !!origin.spec.ReadOnly) : [];
        out.push({ destination: m.Destination, type: 'tmpfs', source: 'tmpfs', options: mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', ...data]) });
      }
    }
    for (const [dest, data] of Object.entries((c.HostConfig.Tmpfs ?? {}) as Record<string, string>)) {
      const options = mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', ...String(data ?? '').split(',')]);
      out.push({ destination: validateTmpfsDestination(dest), type: 'tmpfs', source: 'tmpfs', options });
    }
    return out.sort(byDepth);
  }

  /** Docker's rule: a volume that is still empty gets the image's files at its destination. */
  private copyUp(rootfs: string, destination: string, volumeDir: string): void {
    if (!isEmptyDir(volumeDir)) return;
    const inImage = followSymlinkInScope(rootfs, destination);
    const st = statSync(inImage, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return;
    copyTree(inImage, volumeDir);
    copyOwnership(inImage, volumeDir);
    this.logger.debug({ destination, volumeDir }, 'copied image content into new volume');
  }

  async release(c: { Id: string; Mounts: MountPoint[] }, removeVolumes: boolean): Promise<void> {
    for (const m of c.Mounts) {
      if (m.Type !== 'volume' || !m.Name || !this.volumes.exists(m.Name)) continue;
      await this.volumes.unmount(m.Name, c.Id).catch((err) => this.logger.warn({ err, volume: m.Name }, 'unmount volume'));
      if (!removeVolumes) continue;
      const v = this.volumes.get(m.Name);
      if (!(ANONYMOUS_LABEL in (v.Labels ?? {}))) continue;
      try {
        await this.volumes.removeUnlessUsedByOthers(m.Name, c.Id);
      } catch (err) {
        this.logger.warn({ err, volume: m.Name }, 'removing anonymous volume');
      }
    }
  }
}
