import { createWriteStream, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { parseCron, type CronSchedule } from './cron.js';

// Scheduled backups (daemon.json "backups"): which containers, when (cron), where (a directory)
// and how many to keep. Each is written to NAME.partial and renamed when complete, so an
// interrupted backup never sits under a final name; a partial file left by a crash goes at start.

export interface BackupScheduleConfig {
  /** Container names. */
  containers?: string[];
  /** A label filter: "key" or "key=value". */
  label?: string;
  /** 5-field cron expression, local time. */
  schedule: string;
  /** Directory the archives go to. */
  dir: string;
  /** How many archives to keep per container (default 7). */
  keep?: number;
  /** Include the image (default true). */
  image?: boolean;
  consistency?: 'pause' | 'stop' | 'live';
}

export interface BackupFile {
  path: string;
  container: string;
  created: Date;
  size: number;
}

const FILE_RE = /^(.+)\.(\d{8}T\d{6}Z)\.berth\.tar\.zst$/;
const PARTIAL = '.partial';

/** Checks daemon.json's "backups" (a list of schedules). */
export function parseBackupSchedules(raw: unknown): BackupScheduleConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidArgumentError('invalid backups: not a list');
  return raw.map((s: unknown, i) => {
    const where = `invalid backups[${i}]`;
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw new InvalidArgumentError(`${where}: not an object`);
    const o = s as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !['containers', 'label', 'schedule', 'dir', 'keep', 'image', 'consistency'].includes(k));
    if (unknown.length) throw new InvalidArgumentError(`${where}: unknown keys ${unknown.join(', ')}`);
    if (typeof o.schedule !== 'string') throw new InvalidArgumentError(`${where}: "schedule" (a cron expression) is required`);
    parseCron(o.schedule);
    if (typeof o.dir !== 'string' || !o.dir.startsWith('/')) throw new InvalidArgumentError(`${where}: "dir" must be an absolute path`);
    if (o.containers !== undefined && (!Array.isArray(o.containers) || o.containers.some((c) => typeof c !== 'string'))) {
      throw new InvalidArgumentError(`${where}: "containers" must be a list of names`);
    }
    if (o.label !== undefined && (typeof o.label !== 'string' || !o.label)) throw new InvalidArgumentError(`${where}: "label" must be "key" or "key=value"`);
    if (o.containers === undefined && o.label === undefined) throw new InvalidArgumentError(`${where}: name "containers" or a "label" filter`);
    if (o.keep !== undefined && (!Number.isInteger(o.keep) || (o.keep as number) < 1)) throw new InvalidArgumentError(`${where}: "keep" must be a whole number ≥ 1`);
    if (o.image !== undefined && typeof o.image !== 'boolean') throw new InvalidArgumentError(`${where}: "image" must be true or false`);
    if (o.consistency !== undefined && !['pause', 'stop', 'live'].includes(o.consistency as string)) {
      throw new InvalidArgumentError(`${where}: "consistency" must be pause, stop or live`);
    }
    return o as unknown as BackupScheduleConfig;
  });
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function parseStamp(s: string): Date {
  return new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
}

/** The finished archives in `dir`, newest first. */
export function listBackupFiles(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const n of names) {
    const m = FILE_RE.exec(n);
    if (!m) continue;
    const path = join(dir, n);
    out.push({ path, container: m[1]!, created: parseStamp(m[2]!), size: statSync(path).size });
  }
  return out.sort((a, b) => b.created.getTime() - a.created.getTime() || (a.path < b.path ? 1 : -1));
}

/** Removes, per container, the archives beyond the newest `keep`. */
export function pruneBackupFiles(dir: string, keep: number, containers?: Set<string>): string[] {
  const seen = new Map<string, number>();
  const removed: string[] = [];
  for (const f of listBackupFiles(dir)) {
    if (containers && !containers.has(f.container)) continue;
    const n = (seen.get(f.container) ?? 0) + 1;
    seen.set(f.container, n);
    if (n > keep) {
      rmSync(f.path, { force: true });
      removed.push(f.path);
    }
  }
  return removed;
}

export interface SchedulerDeps {
  schedules: BackupScheduleConfig[];
  /** Names (without slash) of the containers a schedule selects now. */
  select(s: BackupScheduleConfig): string[];
  backup(container: string, s: BackupScheduleConfig): Promise<Readable>;
  now?: () => Date;
  logger: Logger;
}

export class BackupScheduler {
  private readonly crons: CronSchedule[];
  private readonly due: Date[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly d: SchedulerDeps) {
    this.crons = d.schedules.map((s) => parseCron(s.schedule));
    const now = this.now();
    this.due = this.crons.map((c) => c.next(now));
  }

  private now(): Date {
    return this.d.now ? this.d.now() : new Date();
  }

  /** Removes partial files a crash left, and arms the timer. */
  start(): void {
    for (const s of this.d.schedules) {
      try {
        for (const n of readdirSync(s.dir)) if (n.endsWith(PARTIAL)) rmSync(join(s.dir, n), { force: true });
      } catch {
        // the directory is made at the first backup
      }
    }
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private arm(): void {
    if (this.stopped || this.due.length === 0) return;
    const wait = Math.min(...this.due.map((d) => d.getTime())) - this.now().getTime();
    // Woken at least every minute: a clock that jumps is followed soon.
    this.timer = setTimeout(() => {
      this.running = this.runDue().then(
        () => this.arm(),
        () => this.arm(),
      );
    }, Math.max(0, Math.min(wait, 60_000)));
    this.timer.unref();
  }

  /** Runs every schedule whose time has come (one after another), then applies retention. */
  async runDue(): Promise<string[]> {
    const now = this.now();
    const written: string[] = [];
    for (let i = 0; i < this.d.schedules.length; i++) {
      if (this.due[i]!.getTime() > now.getTime()) continue;
      this.due[i] = this.crons[i]!.next(now);
      written.push(...(await this.runSchedule(this.d.schedules[i]!, now)));
    }
    return written;
  }

  /** Backs up each container a schedule selects, then prunes that directory. */
  async runSchedule(s: BackupScheduleConfig, at: Date): Promise<string[]> {
    const written: string[] = [];
    mkdirSync(s.dir, { recursive: true, mode: 0o700 });
    const names = this.d.select(s);
    for (const name of names) {
      const final = join(s.dir, `${name}.${stamp(at)}.berth.tar.zst`);
      const partial = final + PARTIAL;
      try {
        await pipeline(await this.d.backup(name, s), createWriteStream(partial, { mode: 0o600 }));
        renameSync(partial, final);
        written.push(final);
        this.d.logger.info({ container: name, file: final }, 'scheduled backup written');
      } catch (err) {
        rmSync(partial, { force: true });
        this.d.logger.error({ container: name, err: errorMessage(err) }, 'scheduled backup failed');
      }
    }
    pruneBackupFiles(s.dir, s.keep ?? 7, new Set(names));
    return written;
  }
}
