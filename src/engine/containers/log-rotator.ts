import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Logger } from '../../common/logger.js';
import { noteRotation } from './log-files.js';
import type { LogPolicy } from './log-policy.js';

/** Asks the container's monitor to close its log and open PATH anew (conmon's ctl `2 0 0`). */
export type LogReopener = (containerId: string) => Promise<void>;

interface Watched {
  path: string;
  policy: LogPolicy;
  watcher?: FSWatcher;
  timer: NodeJS.Timeout;
  pending?: NodeJS.Timeout;
  rotating: boolean;
}

/** How often a busy log's size is looked at, at most: caps the stat calls of a chatty container. */
const CHECK_EVERY_MS = 10;
/** A quiet log is looked at this often too, in case a file-system event was missed. */
const FALLBACK_MS = 2000;

/**
 * Rotates container logs while the containers run: when the live file nears max-size it is
 * renamed to PATH.1 (older ones shift, the oldest goes) and conmon reopens PATH. conmon keeps
 * writing into the renamed file until it reopens, so no line is lost or written twice. Rotation
 * starts a little before max-size, so no file ever holds more than max-size even at full speed.
 */
export class LogRotator {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly reopen: LogReopener,
    private readonly logger: Logger,
  ) {}

  watch(id: string, path: string, policy: LogPolicy): void {
    this.unwatch(id);
    if (policy.driver === 'none') return;
    const w: Watched = { path, policy, rotating: false, timer: setInterval(() => this.check(id), FALLBACK_MS) };
    w.timer.unref();
    try {
      // The directory, not the file: the file's inode changes at every rotation.
      w.watcher = watch(dirname(path), (_ev, name) => {
        if (name === basename(path)) this.schedule(id);
      });
      w.watcher.on('error', () => undefined);
    } catch (err) {
      this.logger.debug({ err, id }, 'log watch failed; polling');
    }
    this.watched.set(id, w);
    this.check(id);
  }

  unwatch(id: string): void {
    const w = this.watched.get(id);
    if (!w) return;
    w.watcher?.close();
    clearInterval(w.timer);
    clearTimeout(w.pending);
    this.watched.delete(id);
  }

  close(): void {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }

  private schedule(id: string): void {
    const w = this.watched.get(id);
    if (!w || w.pending) return;
    w.pending = setTimeout(() => {
      w.pending = undefined;
      this.check(id);
    }, CHECK_EVERY_MS);
  }

  private check(id: string): void {
    const w = this.watched.get(id);
    if (!w || w.rotating) return;
    let size: number;
    try {
      size = statSync(w.path).size;
    } catch {
      return;
    }
    if (size < threshold(w.policy.maxSize)) return;
    w.rotating = true;
    this.rotate(id, w)
      .catch((err) => this.logger.warn({ err, id }, 'log rotation failed'))
      .finally(() => {
        w.rotating = false;
        if (this.watched.get(id) === w) this.schedule(id);
      });
  }

  private async rotate(id: string, w: Watched): Promise<void> {
    const { path, policy } = w;
    // Synchronous renames: a reader in this process lists and opens the files between two rotations.
    shiftRotated(path, policy.maxFile);
    renameSync(path, `${path}.1`);
    noteRotation(path);
    await this.reopen(id);
    // conmon closes the old file before it creates the new one: once PATH exists, PATH.1 is final.
    for (let i = 0; i < 500 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 5));
    if (policy.maxFile === 1) rmSync(`${path}.1`, { force: true });
    else if (policy.compress) await compress(`${path}.1`);
    this.logger.debug({ id, path }, 'log rotated');
  }
}

/** Rotate before the file would pass max-size: leave room for what arrives while conmon reopens. */
function threshold(maxSize: number): number {
  return maxSize - Math.min(Math.floor(maxSize / 4), 1024 * 1024);
}

/** PATH.n → PATH.n+1 (with or without .gz), dropping what would pass max-file. */
function shiftRotated(path: string, maxFile: number): void {
  const keep = maxFile - 1; // rotated files kept
  // PATH.keep would become PATH.keep+1: it goes, with any left by an earlier, larger max-file.
  for (let n = Math.max(keep, 1); n <= keep + 64; n++) {
    const found = [`${path}.${n}`, `${path}.${n}.gz`].filter((p) => existsSync(p));
    if (!found.length && n > keep) break;
    for (const p of found) rmSync(p, { force: true });
  }
  for (let n = keep - 1; n >= 1; n--) {
    for (const ext of ['', '.gz']) {
      const from = `${path}.${n}${ext}`;
      if (existsSync(from)) renameSync(from, `${path}.${n + 1}${ext}`);
    }
  }
}

async function compress(file: string): Promise<void> {
  const tmp = `${file}.gz.tmp`;
  await pipeline(createReadStream(file), createGzip(), createWriteStream(tmp));
  // Both renames at once: a reader sees PATH.1 or PATH.1.gz, never neither.
  renameSync(tmp, `${file}.gz`);
  rmSync(file, { force: true });
}
