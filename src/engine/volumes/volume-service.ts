import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { directorySize } from '../../common/directory-size.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { exactMatch, filterBool, filterValues, matchKVList, matchLabels, validateFilters, type FilterArgs } from '../../common/filters.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { Db } from '../../store/database.js';
import { VolumeRepository, type VolumeRecord } from '../../store/volume-repository.js';
import type { EventSink } from '../events/event-bus.js';
import { isMountPoint, mountLocal, needsMount, unmountLocal, validateLocalOptions } from './local-driver-mount.js';

/** The label Docker puts on volumes it made for `-v /path` and image VOLUMEs; prune takes only these by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

const VOLUME_LIST_FILTERS = ['dangling', 'driver', 'label', 'name'];
const VOLUME_PRUNE_FILTERS = ['label', 'label!', 'all'];

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's volume document (GET /volumes/{name}). */
export interface VolumeView {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local';
  UsageData?: { Size: number; RefCount: number };
}

export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface VolumeServiceDeps {
  db: Db;
  paths: BerthPaths;
  logger: Logger;
  events: EventSink;
  /** Ids of the containers (running or not) that reference a volume. */
  usedBy?: (name: string) => string[];
}

/** Docker's rule for local volume names, with its message. */
export function validateVolumeName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}


/**
 * Volumes of the local driver: a directory under volumes/<name>/_data, or a filesystem mounted
 * there while containers use it when driver options ask for one.
 */
export class VolumeService {
  readonly repo: VolumeRepository;
  private usedBy: (name: string) => string[];

  constructor(private readonly d: VolumeServiceDeps) {
    this.repo = new VolumeRepository(d.db);
    this.usedBy = d.usedBy ?? (() => []);
  }

  /** The container service tells who references which volume once it exists. */
  setUsedBy(fn: (name: string) => string[]): void {
    this.usedBy = fn;
  }

  path(name: string): string {
    return this.d.paths.volumeData(name);
  }

  view(v: VolumeRecord): VolumeView {
    return {
      CreatedAt: v.CreatedAt,
      Driver: v.Driver,
      Labels: v.Labels,
      Mountpoint: this.path(v.Name),
      Name: v.Name,
      Options: v.Options,
      Scope: 'local',
    };
  }

  /** Creates a volume, or returns the one that already has the name (Docker's idempotent create). */
  create(req: VolumeCreateRequest): VolumeView {
    const name = req.Name || randomBytes(32).toString('hex');
    const driver = req.Driver || 'local';
    if (driver !== 'local') throw new NotFoundError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    validateVolumeName(name);
    const existing = this.repo.get(name);
    if (existing) {
      if (existing.Driver !== driver) throw new ConflictError(`create ${name}: volume name must be unique`);
      return this.view(existing);
    }
    try {
      validateLocalOptions(req.DriverOpts);
    } catch (err) {
      throw new InvalidArgumentError(`create ${name}: ${(err as Error).message}`);
    }
    const record: VolumeRecord = {
      Name: name,
      Driver: driver,
      CreatedAt: rfc3339(new Date()),
      // dockerd marks every volume created without a name as anonymous, so a plain prune takes it.
      Labels: req.Name ? (req.Labels ?? null) : { ...req.Labels, [ANONYMOUS_LABEL]: '' },
      Options: req.DriverOpts ?? null,
    };
    mkdirSync(this.d.paths.volumesRoot, { recursive: true, mode: 0o701 });
    const dir = join(this.d.paths.volumesRoot, name);
    mkdirSync(dir, { mode: 0o701 });
    try {
      mkdirSync(this.path(name), { mode: 0o755 });
      this.repo.put(record);
    } catch (err) {
      // A full disk can refuse _data or the row: no directory stays to make the next create fail.
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.emit('create', name);
    return this.view(record);
  }

  /** Creates an anonymous volume (`-v /path`, image VOLUMEs). */
  createAnonymous(): VolumeView {
    return this.create({});
  }

  get(name: string): VolumeRecord {
    const v = this.repo.get(name);
    if (!v) throw new NotFoundError(`get ${name}: no such volume`);
    return v;
  }

  inspect(name: string): VolumeView {
    return this.view(this.get(name));
  }

  exists(name: string): boolean {
    return this.repo.get(name) !== undefined;
  }

  /** GET /volumes with Docker's filters: dangling, driver, label, name. */
  list(filters: FilterArgs = {}): VolumeView[] {
    validateFilters(filters, VOLUME_LIST_FILTERS);
    const dangling = danglingFilter(filterValues(filters, 'dangling'));
    const names = filterValues(filters, 'name');
    return this.repo
      .all()
      .filter(
        (v) =>
          (dangling === undefined || (this.usedBy(v.Name).length === 0) === dangling) &&
          exactMatch(filters, 'driver', v.Driver) &&
          (!names.length || names.some((n) => safeRegExp(n).test(v.Name))) &&
          matchKVList(filters, 'label', v.Labels),
      )
      .map((v) => this.view(v));
  }

  /** DELETE /volumes/{name}: refused while a container references it; `force` ignores a missing one. */
  async remove(name: string, o: { force?: boolean } = {}): Promise<void> {
    const v = this.repo.get(name);
    if (!v) {
      if (o.force) return;
      throw new NotFoundError(`get ${name}: no such volume`);
    }
    const users = this.usedBy(name);
    if (users.length) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await this.destroy(v);
  }

  /** `rm -v`: drops a volume unless a container other than `leaving` still references it. */
  async removeUnlessUsedByOthers(name: string, leaving: string): Promise<boolean> {
    const v = this.repo.get(name);
    if (!v || this.usedBy(name).some((id) => id !== leaving)) return false;
    await this.destroy(v);
    return true;
  }

  private async destroy(v: VolumeRecord): Promise<void> {
    const dir = this.path(v.Name);
    await unmountLocal(dir).catch((err) => this.d.logger.warn({ err, volume: v.Name }, 'unmount volume'));
    if (isMountPoint(dir)) throw new ConflictError(`remove ${v.Name}: volume is still mounted`);
    this.repo.remove(v.Name);
    rmSync(join(this.d.paths.volumesRoot, v.Name), { recursive: true, force: true });
    this.emit('destroy', v.Name);
  }

  /**
   * POST /volumes/prune: removes unused volumes, only anonymous ones unless `all` (API ≥ 1.42;
   * older clients get every unused volume).
   */
  async prune(filters: FilterArgs = {}): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    validateFilters(filters, VOLUME_PRUNE_FILTERS);
    // dockerd's `all`: one Go boolean at most; without it only anonymous volumes go.
    const all = filterBool(filters, 'all') ?? false;
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.repo.all()) {
      const labels = v.Labels ?? {};
      if (!all && !(ANONYMOUS_LABEL in labels)) continue;
      if (!matchLabels(filters, labels)) continue;
      if (this.usedBy(v.Name).length) continue;
      const size = needsMount(v.Options) ? 0 : directorySize(this.path(v.Name));
      try {
        await this.destroy(v);
      } catch (err) {
        this.d.logger.warn({ err, volume: v.Name }, 'prune: could not remove volume');
        continue;
      }
      deleted.push(v.Name);
      reclaimed += size;
    }
    this.d.events.emit({ Type: 'volume', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } } });
    return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** Makes the volume's data available (mounting the driver's filesystem if it has one). */
  async mount(name: string, event: { container: string; destination: string; rw: boolean; propagation: string }): Promise<string> {
    const v = this.get(name);
    const dir = this.path(name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (needsMount(v.Options)) await mountLocal(v.Options!, dir);
    this.d.events.emit({
      Type: 'volume',
      Action: 'mount',
      Actor: {
        ID: name,
        Attributes: {
          driver: v.Driver,
          container: event.container,
          destination: event.destination,
          'read/write': String(event.rw),
          propagation: event.propagation,
        },
      },
    });
    return dir;
  }

  /** Unmounts a driver filesystem once no container but `leaving` uses the volume. */
  async unmount(name: string, leaving: string): Promise<void> {
    const v = this.repo.get(name);
    if (!v || !needsMount(v.Options)) return;
    if (this.usedBy(name).some((id) => id !== leaving)) return;
    await unmountLocal(this.path(name));
    this.d.events.emit({ Type: 'volume', Action: 'unmount', Actor: { ID: name, Attributes: { driver: v.Driver, container: leaving } } });
  }

  /** Size and reference count of every volume (GET /system/df). */
  usage(): VolumeView[] {
    return this.repo.all().map((v) => ({
      ...this.view(v),
      UsageData: { Size: needsMount(v.Options) ? -1 : directorySize(this.path(v.Name)), RefCount: this.usedBy(v.Name).length },
    }));
  }

  private emit(action: string, name: string): void {
    this.d.events.emit({ Type: 'volume', Action: action, Actor: { ID: name, Attributes: { driver: 'local' } } });
  }
}

/** The `dangling` list filter: true/1 or false/0 (any case); the last value given wins. */
function danglingFilter(values: string[]): boolean | undefined {
  let dangling: boolean | undefined;
  for (const v of values) {
    if (['true', '1'].includes(v.toLowerCase())) dangling = true;
    else if (['false', '0'].includes(v.toLowerCase())) dangling = false;
    else throw new InvalidArgumentError(`invalid filter 'dangling=${v}'`);
  }
  return dangling;
}

function safeRegExp(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch {
    throw new InvalidArgumentError(`invalid filter 'name=${source}'`);
  }
}
