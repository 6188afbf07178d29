import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** One log message: a full line (partial `P` records joined), its stream and conmon's timestamp. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano, UTC written with Z as Docker does. */
  time: string;
  /** The content, with its trailing newline when the container wrote one. */
  line: Buffer;
}

export interface LogReadOptions {
  /** Unix seconds (fractions allowed): only entries at or after. */
  since?: number;
  /** Unix seconds: only entries before; following stops there. */
  until?: number;
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

/** Seconds since the epoch of an RFC3339Nano time, keeping the nanoseconds. */
export function rfc3339Seconds(time: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.exec(time);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}${m[3]}`) / 1000 + (m[2] ? Number(`0${m[2]}`) : 0);
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

/** Byte offset where the last `tail` full records (with the partials before them) start. */
async function tailOffset(fh: FileHandle, size: number, tail: number): Promise<number> {
  if (tail <= 0) return size;
  let pos = size;
  let fullSeen = 0;
  let carry = Buffer.alloc(0);
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, pos);
    const data = Buffer.concat([buf, carry]);
    // Walk records backwards; data[0..firstNl] may be an incomplete record: keep it as carry.
    let end = data.length;
    if (data[end - 1] === NL) end--;
    let nl = data.lastIndexOf(NL, end - 1);
    while (nl >= 0) {
      const r = parseRecord(data.subarray(nl + 1, end));
      if (r?.full) {
        fullSeen++;
        if (fullSeen > tail) return pos + end + 1; // start of the record after this full one
      }
      end = nl;
      nl = data.lastIndexOf(NL, end - 1);
    }
    carry = data.subarray(0, end);
  }
  // The file's first record has no newline before it.
  if (parseRecord(carry)?.full && fullSeen + 1 > tail) return carry.length + 1;
  return 0;
}

/**
 * Reads a conmon k8s-file log as Docker log entries: `tail` reads from the end, `since`/`until`
 * filter on conmon's timestamps, `follow` waits for new records until aborted or the container stops.
 */
export async function* readLogs(path: string, o: LogReadOptions = {}): AsyncGenerator<LogEntry> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !o.follow) return;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fh = await waitForFile(path, o);
  }
  let watcher: FSWatcher | undefined;
  try {
    const size = (await fh.stat()).size;
    let pos = o.tail !== undefined && o.tail >= 0 ? await tailOffset(fh, size, o.tail) : 0;
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
      watcher = watch(path, poke);
      watcher.on('error', poke);
      o.until_stopped?.then(
        () => ((stopped = true), poke()),
        () => ((stopped = true), poke()),
      );
      o.signal?.addEventListener('abort', poke, { once: true });
    }
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      if (o.signal?.aborted) return;
      const wasStopped = stopped;
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        pending = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let start = 0;
        let nl: number;
        while ((nl = pending.indexOf(NL, start)) >= 0) {
          const e = asm.push(pending.subarray(start, nl));
          start = nl + 1;
          if (!e) continue;
          const t = rfc3339Seconds(e.time);
          if (o.until !== undefined && t >= o.until) return;
          if (o.since !== undefined && t < o.since) continue;
          yield e;
        }
        pending = pending.subarray(start);
        continue;
      }
      // At the end of the file. An unterminated last line is shown once nothing more can follow it
      // (Docker's log copier, too, holds a partial line until its newline or the stream's end).
      if (!o.follow || wasStopped || o.signal?.aborted) {
        for (const e of asm.flush()) {
          const t = rfc3339Seconds(e.time);
          if (o.until !== undefined && t >= o.until) break;
          if (o.since === undefined || t >= o.since) yield e;
        }
        return;
      }
      const st = await fh.stat();
      if (st.size < pos) {
        pos = 0; // truncated or rotated in place: start over
        pending = Buffer.alloc(0);
        continue;
      }
      if (st.size > pos) continue;
      await new Promise<void>((r) => {
        wake = r;
        if (stopped || o.signal?.aborted) poke();
      });
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}

/** For `follow` on a log conmon has not created yet. */
async function waitForFile(path: string, o: LogReadOptions): Promise<FileHandle> {
  for (;;) {
    try {
      return await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (o.signal?.aborted) return Promise.reject(o.signal.reason);
    await new Promise((r) => setTimeout(r, 50));
  }
}
