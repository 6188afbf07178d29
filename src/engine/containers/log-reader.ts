import { closeSync, fstat, openSync, read, readFile, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { rotatedLogFile, rotatedLogFiles, rotations } from './log-files.js';

const fstatAsync = promisify(fstat);
const readAsync = promisify(read);
const readFileAsync = promisify(readFile) as (fd: number) => Promise<Buffer>;
const gunzipAsync = promisify(gunzip) as (b: Buffer) => Promise<Buffer>;

/** One log message: a full line (partial `P` records joined), its stream and conmon's timestamp. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano, UTC written with Z as Docker does. */
  time: string;
  /** The content, with its trailing newline when the container wrote one. */
  line: Buffer;
}

export interface LogReadOptions {
  /** Unix nanoseconds: only entries at or after. */
  since?: bigint;
  /** Unix nanoseconds: only entries before; following stops there. */
  until?: bigint;
  /** Only the last N entries (before following). */
  tail?: number;
  follow?: boolean;
  signal?: AbortSignal;
  /** Following ends (after the rest of the file is read) when this settles: the container stopped. */
  until_stopped?: Promise<void>;
}

const CHUNK = 64 * 1024;
const SPACE = 0x20;
const NL = 0x0a;

/**
 * Nanoseconds since the epoch of an RFC3339Nano time, exactly (as Go compares time.Time): a
 * since taken from one line's own timestamp must match that line. Undefined if it is not one.
 */
export function rfc3339Nanos(time: string): bigint | undefined {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/.exec(time);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

// An entry is read when its time is in [since, until); one with an unreadable time is kept.
function pastUntil(t: bigint | undefined, until: bigint | undefined): boolean {
  return until !== undefined && t !== undefined && t >= until;
}
function reachesSince(t: bigint | undefined, since: bigint | undefined): boolean {
  return since === undefined || t === undefined || t >= since;
}

function dockerTime(time: string): string {
  return time.endsWith('+00:00') ? `${time.slice(0, -6)}Z` : time;
}

/** Parses one k8s-file record `TIME STREAM F|P CONTENT` (without its newline). */
function parseRecord(rec: Buffer): { time: string; stream: 'stdout' | 'stderr'; full: boolean; content: Buffer } | null {
  const a = rec.indexOf(SPACE);
  const b = a < 0 ? -1 : rec.indexOf(SPACE, a + 1);
  if (b < 0) return null;
  const stream = rec.toString('latin1', a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  const tag = rec[b + 1];
  const full = tag !== 0x50; // 'P'
  // The tag may be followed by a space and the content; an empty content has no space.
  const content = rec.length > b + 2 ? rec.subarray(b + 3) : Buffer.alloc(0);
  return { time: rec.toString('latin1', 0, a), stream, full, content };
}

/** Joins partial records into entries; a full record ends a line (the newline conmon removed is restored). */
class EntryAssembler {
  private partial = new Map<string, { time: string; parts: Buffer[] }>();

  push(rec: Buffer): LogEntry | null {
    const r = parseRecord(rec);
    if (!r) return null;
    const p = this.partial.get(r.stream);
    if (!r.full) {
      if (p) p.parts.push(r.content);
      else this.partial.set(r.stream, { time: r.time, parts: [r.content] });
      return null;
    }
    this.partial.delete(r.stream);
    const parts = p ? [...p.parts, r.content, Buffer.from('\n')] : [r.content, Buffer.from('\n')];
    return { stream: r.stream, time: dockerTime(p?.time ?? r.time), line: Buffer.concat(parts) };
  }

  /** Output that ended without a newline (`printf x`): Docker shows it as it is, unterminated. */
  flush(): LogEntry[] {
    const out = [...this.partial].map(([stream, p]) => ({ stream: stream as LogEntry['stream'], time: dockerTime(p.time), line: Buffer.concat(p.parts) }));
    this.partial.clear();
    return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }
}

/** Something log records are read from by offset: a plain file, or a gzipped rotated one in memory. */
interface LogSource {
  size(): Promise<number>;
  read(buf: Buffer, pos: number): Promise<number>;
  close(): void;
}

function fileSource(fd: number): LogSource {
  return {
    size: async () => (await fstatAsync(fd)).size,
    read: async (buf, pos) => (await readAsync(fd, buf, 0, buf.length, pos)).bytesRead,
    close: () => closeSync(fd),
  };
}

function gzipSource(fd: number): LogSource {
  let data: Promise<Buffer> | undefined;
  const load = () => (data ??= readFileAsync(fd).then((b) => gunzipAsync(b)));
  return {
    size: async () => (await load()).length,
    read: async (buf, pos) => (await load()).copy(buf, 0, pos, pos + buf.length),
    close: () => closeSync(fd),
  };
}

/**
 * Opens every file of the log at once, oldest first, the live one last (absent when it does not
 * exist yet). Synchronous on purpose: the rotator renames synchronously in this process, so the
 * list and the open files always belong to the same moment.
 */
function openLogFiles(path: string): { sources: LogSource[]; live: boolean; generation: number } {
  const sources: LogSource[] = [];
  const generation = rotations(path);
  for (const f of rotatedLogFiles(path)) {
    try {
      const fd = openSync(f.path, 'r');
      sources.push(f.gzip ? gzipSource(fd) : fileSource(fd));
    } catch {
      /* rotated away just now */
    }
  }
  try {
    sources.push(fileSource(openSync(path, 'r')));
    return { sources, live: true, generation };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { sources, live: false, generation };
  }
}

/**
 * For a follower at the end of what it has: the files to read next when the log was rotated (or
 * created) since. Only once PATH exists again: conmon has then closed the file before it, so what
 * the follower read last is complete. Files rotated more than once meanwhile are caught up on too.
 */
function catchUp(path: string, seen: { live: boolean; generation: number }): LogSource[] {
  const generation = rotations(path);
  if (generation === seen.generation && seen.live) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return []; // between the rename and conmon's reopen
  }
  const out: LogSource[] = [];
  // The file read last is now PATH.<generation - seen.generation>; the ones after it follow.
  for (let n = generation - seen.generation - (seen.live ? 1 : 0); n >= 1; n--) {
    const f = rotatedLogFile(path, n);
    if (!f) continue;
    try {
      const rfd = openSync(f.path, 'r');
      out.push(f.gzip ? gzipSource(rfd) : fileSource(rfd));
    } catch {
      /* dropped by max-file before the follower got to it */
    }
  }
  out.push(fileSource(fd));
  seen.generation = generation;
  seen.live = true;
  return out;
}

/**
 * Where the last `tail` full records (with the partials before them) start: the byte offset, or
 * the whole file and how many full records it holds when the tail reaches further back.
 */
async function tailOffset(src: LogSource, size: number, tail: number): Promise<{ offset: number; seen: number }> {
  if (tail <= 0) return { offset: size, seen: 0 };
  let pos = size;
  let fullSeen = 0;
  let carry = Buffer.alloc(0);
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await src.read(buf, pos);
    const data = Buffer.concat([buf, carry]);
    // Walk records backwards; data[0..firstNl] may be an incomplete record: keep it as carry.
    let end = data.length;
    if (data[end - 1] === NL) end--;
    let nl = data.lastIndexOf(NL, end - 1);
    while (nl >= 0) {
      const r = parseRecord(data.subarray(nl + 1, end));
      if (r?.full) {
        fullSeen++;
        if (fullSeen > tail) return { offset: pos + end + 1, seen: tail }; // start of the record after this full one
      }
      end = nl;
      nl = data.lastIndexOf(NL, end - 1);
    }
    carry = data.subarray(0, end);
  }
  // The file's first record has no newline before it.
  if (parseRecord(carry)?.full) {
    if (fullSeen + 1 > tail) return { offset: carry.length + 1, seen: tail };
    fullSeen++;
  }
  return { offset: 0, seen: fullSeen };
}

/**
 * Reads a conmon k8s-file log and its rotated files as Docker log entries: `tail` reads from the
 * end, `since`/`until` filter on conmon's timestamps, `follow` waits for new records until aborted
 * or the container stops, and goes on into the new file when the live one is rotated.
 */
export async function* readLogs(path: string, o: LogReadOptions = {}): AsyncGenerator<LogEntry> {
  const opened = openLogFiles(path);
  if (!opened.live && !o.follow && !opened.sources.length) return;
  const sources = opened.sources;
  let watcher: FSWatcher | undefined;
  let fallback: NodeJS.Timeout | undefined;
  try {
    // Where to begin: the tail may reach back into rotated files.
    let index = 0;
    let pos = 0;
    if (o.tail !== undefined && o.tail >= 0) {
      index = Math.max(sources.length - 1, 0);
      let remaining = o.tail;
      for (let i = sources.length - 1; i >= 0; i--) {
        const t = await tailOffset(sources[i]!, await sources[i]!.size(), remaining);
        index = i;
        pos = t.offset;
        remaining -= t.seen;
        if (t.offset > 0 || remaining <= 0) break;
      }
    }
    const asm = new EntryAssembler();
    let pending = Buffer.alloc(0);
    let stopped = false;
    let wake: (() => void) | undefined;
    const poke = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    if (o.follow) {
      // The directory: the live file is replaced at every rotation.
      watcher = watch(dirname(path), poke);
      watcher.on('error', poke);
      fallback = setInterval(poke, 500);
      o.until_stopped?.then(
        () => ((stopped = true), poke()),
        () => ((stopped = true), poke()),
      );
      o.signal?.addEventListener('abort', poke, { once: true });
    }
    // A line's time is parsed only when a bound needs it.
    const bounded = o.since !== undefined || o.until !== undefined;
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      if (o.signal?.aborted) return;
      const wasStopped = stopped;
      const src = sources[index];
      const bytesRead = src ? await src.read(buf, pos) : 0;
      if (bytesRead > 0) {
        pos += bytesRead;
        pending = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let start = 0;
        let nl: number;
        while ((nl = pending.indexOf(NL, start)) >= 0) {
          const e = asm.push(pending.subarray(start, nl));
          start = nl + 1;
          if (!e) continue;
          const t = bounded ? rfc3339Nanos(e.time) : undefined;
          if (pastUntil(t, o.until)) return;
          if (!reachesSince(t, o.since)) continue;
          yield e;
        }
        pending = pending.subarray(start);
        continue;
      }
      // At the end of a rotated file: on to the next one.
      if (index < sources.length - 1) {
        index++;
        pos = 0;
        continue;
      }
      if (o.follow && !o.signal?.aborted) {
        // The live file was rotated (PATH now names a new file, so the one read is complete):
        // go on in the new one.
        const next = catchUp(path, opened);
        if (next.length) {
          sources.push(...next);
          if (src) index++;
          pos = 0;
          continue;
        }
      }
      // At the end of the log. An unterminated last line is shown once nothing more can follow it
      // (Docker's log copier, too, holds a partial line until its newline or the stream's end).
      if (!o.follow || wasStopped || o.signal?.aborted) {
        for (const e of asm.flush()) {
          const t = bounded ? rfc3339Nanos(e.time) : undefined;
          if (pastUntil(t, o.until)) break;
          if (reachesSince(t, o.since)) yield e;
        }
        return;
      }
      if (src && (await src.size()) < pos) {
        pos = 0; // truncated in place: start over
        pending = Buffer.alloc(0);
        continue;
      }
      if (src && (await src.size()) > pos) continue;
      await new Promise<void>((r) => {
        wake = r;
        if (stopped || o.signal?.aborted) poke();
      });
    }
  } finally {
    watcher?.close();
    clearInterval(fallback);
    for (const s of sources) s.close();
  }
}
