// Renders Docker's JSON message stream (pull, push, load, build output) as docker's
// jsonmessage.DisplayJSONMessagesStream does: on a terminal one line per layer id, rewritten in
// place with ANSI cursor movement and a progress bar; elsewhere plain lines, with progress-bar
// updates dropped.
import type { JsonMessage, JsonProgress } from '../../client/api-types.js';
import { readJsonLines } from '../../client/response-body.js';
import { humanSize } from './units.js';

export type { JsonMessage, JsonProgress } from '../../client/api-types.js';

export interface RenderOptions {
  isTTY: boolean;
  /** Terminal width; the bar is drawn only when wider than 110 columns (docker's rule). */
  columns?: number;
  /** Receives `aux` messages (e.g. the pushed digest), which are not printed. */
  onAux?: (message: JsonMessage) => void;
  now?: () => Date;
}

/** Thrown for a message carrying an error; its message is what docker prints. */
export class JsonMessageError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

const ESC = '\x1b[';

/** Go's time.Duration.String() for whole seconds: "0s", "45s", "2m5s", "1h0m3s". */
function goDurationString(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.trunc(seconds / 3600);
  const m = Math.trunc((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** docker's JSONProgress.String(): "[=====>     ]  12.34MB/55.71MB 3s". */
export function progressString(p: JsonProgress, columns = 200, now: Date = new Date()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${current} ${p.units}` : humanSize(current, 4).padStart(8);
  const percentage = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  let bar = '';
  if (columns > 110) bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  let numbers = '';
  if (!p.hidecounts) {
    if (!p.units) {
      numbers = humanSize(current, 4).padStart(8) + (current > total ? '' : `/${humanSize(total, 4)}`);
    } else {
      numbers = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
    }
  }
  let timeLeft = '';
  if (current > 0 && p.start && p.start > 0 && percentage < 50 && columns > 50) {
    const elapsedNs = (now.getTime() - p.start * 1000) * 1e6;
    const perEntry = Math.trunc(elapsedNs / current);
    timeLeft = ' ' + goDurationString(Math.trunc(((total - current) * perEntry) / 1e9));
  }
  return bar + numbers + timeLeft;
}

function rfc3339NanoFixed(nanos: number): string {
  const d = new Date(Math.floor(nanos / 1e6));
  const frac = String(Math.round(nanos % 1e9)).padStart(9, '0');
  return d.toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** Writes one message (docker's JSONMessage.Display); throws for error messages. */
function display(jm: JsonMessage, write: (s: string) => void, options: RenderOptions): void {
  if (jm.errorDetail || jm.error) {
    if (jm.errorDetail?.code === 401) throw new JsonMessageError('authentication is required', 401);
    throw new JsonMessageError(jm.errorDetail?.message ?? jm.error ?? '', jm.errorDetail?.code);
  }
  const bar = jm.progressDetail ? progressString(jm.progressDetail, options.columns, options.now?.()) : '';
  let endl = '';
  if (options.isTTY && !jm.stream && jm.progressDetail) {
    endl = '\r';
    write(`${ESC}2K\r`);
  } else if (jm.progressDetail && bar !== '') {
    return; // no progress bars off a terminal
  }
  if (jm.timeNano) write(rfc3339NanoFixed(jm.timeNano) + ' ');
  else if (jm.time) write(rfc3339NanoFixed(jm.time * 1e9) + ' ');
  if (jm.id) write(`${jm.id}: `);
  if (jm.from) write(`(from ${jm.from}) `);
  const status = jm.status ?? '';
  if (jm.progressDetail && options.isTTY) write(`${status} ${bar}${endl}`);
  else if (jm.progress) write(`${status} ${jm.progress}${endl}`);
  else if (jm.stream) write(`${jm.stream}${endl}`);
  else write(`${status}${endl}\n`);
}

export async function renderJsonMessages(stream: AsyncIterable<object>, out: NodeJS.WritableStream, options: RenderOptions): Promise<void> {
  const write = (s: string): void => {
    out.write(s);
  };
  // Line of each layer id, counted from the first line of the current block of progress lines.
  let ids = new Map<string, number>();
  for await (const raw of stream) {
    const jm = raw as JsonMessage;
    if (jm.aux !== undefined) {
      options.onAux?.(jm);
      continue;
    }
    let diff = 0;
    if (jm.id && (jm.progressDetail || jm.progress)) {
      let line = ids.get(jm.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(jm.id, line);
        if (options.isTTY) write('\n');
      }
      diff = ids.size - line;
      if (options.isTTY && diff > 0) write(`${ESC}${diff}A`);
    } else {
      // Anything else ends the block: later progress must not rewrite earlier lines.
      ids = new Map();
    }
    try {
      display(jm, write, options);
    } finally {
      if (jm.id && options.isTTY && diff > 0) write(`${ESC}${diff}B`);
    }
  }
}

/** Splits an NDJSON byte stream (an HTTP response body) into parsed messages. */
export function parseJsonMessages(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<JsonMessage> {
  return readJsonLines<JsonMessage>(body);
}
