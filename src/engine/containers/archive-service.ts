import { lstatSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { EventSink } from '../events/event-bus.js';
import { followSymlinkInScope, isWithin } from '../volumes/scoped-path.js';
import { pathStat, type ContainerPathStat } from '../../common/archive/path-stat.js';
import { packPath } from '../../common/archive/pack.js';
import { unpackInto } from '../../common/archive/unpack.js';
import type { ArchiveLimits } from '../../common/archive/limits.js';
import { containerChanges, type Change } from './container-changes.js';
import type { ContainerRecord } from './container-model.js';
import type { ContainerRootfs, MountPoint } from './ports.js';

// Files in containers: stat, copy out, copy in (the archive API behind `docker cp`), export and
// diff. A running container is reached through /proc/<pid>/root, which shows its mounts as it
// sees them; a stopped one through its overlay, mounted for the time of the request, with volume
// and bind mount destinations read at their sources.

export interface ArchiveServiceDeps {
  containers: { get(ref: string): ContainerRecord };
  rootfs: Pick<ContainerRootfs, 'mountContainerLayer' | 'unmountContainerLayer'>;
  /** The image's unpacked layer directories (for diff). */
  layerPaths(imageId: string): string[];
  paths: BerthPaths;
  events: EventSink;
  logger: Logger;
}

/** A container's files as seen from the host, for the time of one request. */
interface ContainerView {
  root: string;
  mounts: MountPoint[];
  /** Host path and container path of a container path, symlinks followed inside the container. */
  resolve(ctrPath: string): { host: string; ctr: string; mount?: MountPoint };
  release(): Promise<void>;
}

function notFound(path: string, ref: string): NotFoundError {
  return new NotFoundError(`Could not find the file ${path} in container ${ref}`);
}

export class ArchiveService {
  /** Stopped containers whose rootfs this service mounted, with the number of users. */
  private readonly holds = new Map<string, number>();

  constructor(private readonly d: ArchiveServiceDeps) {}

  private async open(c: ContainerRecord): Promise<ContainerView> {
    if (c.State.Running && c.State.Pid > 0) {
      const root = `/proc/${c.State.Pid}/root`;
      const mounts = c.Mounts as MountPoint[];
      return {
        root,
        mounts,
        resolve: (p) => {
          const host = followSymlinkInScope(root, p);
          const ctr = '/' + posix.relative(root, host);
          return { host, ctr, mount: mountAt(mounts, ctr) };
        },
        release: async () => undefined,
      };
    }
    const root = await this.d.rootfs.mountContainerLayer(c.Id, c.Image);
    this.holds.set(c.Id, (this.holds.get(c.Id) ?? 0) + 1);
    const mounts = (c.Mounts as MountPoint[]).filter((m) => m.Source && (m.Type === 'volume' || m.Type === 'bind'));
    let released = false;
    return {
      root,
      mounts,
      resolve: (p) => {
        const host = followSymlinkInScope(root, p);
        const ctr = '/' + posix.relative(root, host);
        const m = mountAt(mounts, ctr);
        if (!m) return { host, ctr };
        return { host: followSymlinkInScope(m.Source, ctr.slice(m.Destination.length) || '/'), ctr, mount: m };
      },
      release: async () => {
        if (released) return;
        released = true;
        const n = (this.holds.get(c.Id) ?? 1) - 1;
        if (n > 0) {
          this.holds.set(c.Id, n);
          return;
        }
        this.holds.delete(c.Id);
        // The container may have started meanwhile: its rootfs is then in use.
        const now = this.d.containers.get(c.Id);
        if (!now.State.Running) await this.d.rootfs.unmountContainerLayer(c.Id).catch((err) => this.d.logger.warn({ err, id: c.Id }, 'unmount after archive'));
      },
    };
  }

  /** Docker's ResolvePath: the parent is resolved in scope, the last element is not followed unless the path ends in / or /. */
  private locate(view: ContainerView, path: string): { host: string; name: string; abs: string; mount?: MountPoint } {
    const abs = posix.resolve('/', path);
    const followLast = /\/\.?$/.test(path) || abs === '/';
    if (followLast) {
      const r = view.resolve(abs);
      return { host: r.host, name: abs === '/' ? '/' : posix.basename(abs), abs, mount: r.mount };
    }
    const parent = view.resolve(posix.dirname(abs));
    const base = posix.basename(abs);
    const r = view.resolve(posix.join(parent.ctr, base));
    return { host: posix.join(parent.host, base), name: base, abs, mount: parent.mount ?? r.mount };
  }

  private statIn(view: ContainerView, ref: string, path: string): { stat: ContainerPathStat; host: string } {
    const loc = this.locate(view, path);
    const st = lstatSync(loc.host, { bigint: true, throwIfNoEntry: false });
    if (!st) throw notFound(path, ref);
    let linkTarget = '';
    if (st.isSymbolicLink()) linkTarget = view.resolve(loc.abs).ctr;
    return { stat: pathStat(loc.name, st, linkTarget), host: loc.host };
  }

  /** HEAD /containers/{id}/archive. */
  async stat(ref: string, path: string): Promise<ContainerPathStat> {
    const c = this.d.containers.get(ref);
    const view = await this.open(c);
    try {
      return this.statIn(view, ref, path).stat;
    } finally {
      await view.release();
    }
  }

  /** GET /containers/{id}/archive: the stat and a tar of the path (named by its last element). */
  async get(ref: string, path: string): Promise<{ stat: ContainerPathStat; tar: Readable }> {
    const c = this.d.containers.get(ref);
    const view = await this.open(c);
    try {
      const { stat, host } = this.statIn(view, ref, path);
      const rebase = /\/\.$/.test(path) ? '.' : stat.name === '/' ? '.' : stat.name;
      const out = new PassThrough();
      const tar = packPath(host, { rebase });
      tar.on('error', (err) => out.destroy(err));
      tar.pipe(out);
      out.on('close', () => void view.release());
      this.emit(c, 'archive-path');
      return { stat, tar: out };
    } catch (err) {
      await view.release();
      throw err;
    }
  }

  /** PUT /containers/{id}/archive: extracts a tar into the directory `path`. */
  async put(
    ref: string,
    path: string,
    body: Readable,
    /** `chownTo`: a user[:group] of the container (names read from its passwd/group) owning every entry (COPY --chown). */
    o: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean; chownTo?: string; limits?: ArchiveLimits },
  ): Promise<void> {
    const c = this.d.containers.get(ref);
    const view = await this.open(c);
    try {
      const dest = view.resolve(posix.resolve('/', path));
      const st = statSync(dest.host, { throwIfNoEntry: false });
      if (!st) throw notFound(path, ref);
      if (!st.isDirectory()) throw new InvalidArgumentError('extraction point is not a directory');
      if (dest.mount && !dest.mount.RW) throw new InvalidArgumentError('mounted volume is marked read-only');
      if (!dest.mount && c.HostConfig.ReadonlyRootfs) {
        throw new InvalidArgumentError('container rootfs is marked read-only');
      }
      const owner = o.chownTo ?? (o.copyUIDGID ? (c.Config.User ?? '') : undefined);
      const chown = owner === undefined ? undefined : containerUser(view.root, owner);
      await unpackInto(
        {
          resolve: (p) => {
            const r = view.resolve(p);
            if (r.mount && !r.mount.RW) throw new InvalidArgumentError('mounted volume is marked read-only');
            if (!r.mount && !isWithin(view.root, r.host)) throw new InvalidArgumentError(`${p} is outside of the container`);
            return r.host;
          },
        },
        dest.ctr,
        body,
        { noOverwriteDirNonDir: o.noOverwriteDirNonDir, chown, limits: o.limits },
      );
      this.emit(c, 'extract-to-dir');
    } finally {
      await view.release();
    }
  }

  /** GET /containers/{id}/export: the container's root filesystem (without its volumes) as a tar. */
  async export(ref: string): Promise<Readable> {
    const c = this.d.containers.get(ref);
    const running = c.State.Running;
    const root = await this.d.rootfs.mountContainerLayer(c.Id, c.Image);
    if (!running) this.holds.set(c.Id, (this.holds.get(c.Id) ?? 0) + 1);
    const out = new PassThrough();
    const tar = packPath(root, { rebase: '' });
    tar.on('error', (err) => out.destroy(err));
    tar.pipe(out);
    out.on('close', () => {
      if (running) return;
      const n = (this.holds.get(c.Id) ?? 1) - 1;
      if (n > 0) return void this.holds.set(c.Id, n);
      this.holds.delete(c.Id);
      if (!this.d.containers.get(c.Id).State.Running) void this.d.rootfs.unmountContainerLayer(c.Id).catch(() => undefined);
    });
    this.emit(c, 'export');
    return out;
  }

  /** GET /containers/{id}/changes. */
  changes(ref: string): Change[] {
    const c = this.d.containers.get(ref);
    return containerChanges(this.d.paths.containerUpperDir(c.Id), this.d.layerPaths(c.Image).reverse());
  }

  private emit(c: ContainerRecord, action: string): void {
    this.d.events.emit({ Type: 'container', Action: action, Actor: { ID: c.Id, Attributes: { image: c.Config.Image, name: c.Name.slice(1) } } });
  }
}

/** The mount whose destination holds the container path `ctr` (the deepest one). */
function mountAt(mounts: MountPoint[], ctr: string): MountPoint | undefined {
  return mounts
    .filter((x) => ctr === x.Destination || ctr.startsWith(x.Destination + '/'))
    .sort((a, b) => b.Destination.length - a.Destination.length)[0];
}

/** The container's user as uid/gid (Config.User: name or number, optional group), from its /etc/passwd and /etc/group. */
function containerUser(root: string, user: string): { uid: number; gid: number } {
  const [u = '', g] = user.split(':');
  const read = (f: string) => {
    try {
      return readFileSync(followSymlinkInScope(root, f), 'utf8').split('\n').map((l) => l.split(':'));
    } catch {
      return [];
    }
  };
  let uid = 0;
  let gid = 0;
  if (u !== '') {
    const entry = read('/etc/passwd').find((e) => e[0] === u || e[2] === u);
    if (entry) [uid, gid] = [Number(entry[2]), Number(entry[3])];
    else if (/^\d+$/.test(u)) uid = Number(u);
    else throw new InvalidArgumentError(`unable to find user ${u}: no matching entries in passwd file`);
  }
  if (g !== undefined && g !== '') {
    const entry = read('/etc/group').find((e) => e[0] === g || e[2] === g);
    if (entry) gid = Number(entry[2]);
    else if (/^\d+$/.test(g)) gid = Number(g);
    else throw new InvalidArgumentError(`unable to find group ${g}: no matching entries in group file`);
  }
  return { uid, gid };
}
