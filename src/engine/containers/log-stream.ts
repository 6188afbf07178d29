import { InvalidArgumentError } from '../../common/errors.js';
import { parseTimeParamNs } from '../../common/time-param.js';
import type { ContainerRecord } from './container-model.js';
import type { LogEntry, LogReader } from './ports.js';

// GET /containers/{name}/logs: which lines of which container, checked before the stream begins
// (once the 200 is out an error can no longer get its status).

export interface LogStreamDeps {
  get(ref: string): ContainerRecord;
  readLogs: LogReader;
  /** Settles when the container's current run ends (a follower stops there). */
  exited(id: string): Promise<void>;
}

/** The query as the client sent it; the values are checked here, in dockerd's order. */
export interface LogRequest {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  tail?: string;
  since?: string;
  until?: string;
  signal?: AbortSignal;
}

export interface LogStream {
  /** A TTY container's output is one raw stream, not multiplexed. */
  tty: boolean;
  entries: AsyncIterable<LogEntry>;
}

function tailOf(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '' || raw === 'all') return undefined;
  const tail = Number(raw);
  if (!Number.isInteger(tail) || tail < 0) throw new InvalidArgumentError(`invalid value for "tail": "${raw}"`);
  return tail;
}

export function openLogs(d: LogStreamDeps, ref: string, q: LogRequest): LogStream {
  const c = d.get(ref);
  if (!q.stdout && !q.stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream');
  const tail = tailOf(q.tail);
  if (c.HostConfig?.LogConfig?.Type === 'none') throw new InvalidArgumentError('configured logging driver does not support reading');
  const since = parseTimeParamNs(q.since, 'since');
  const until = parseTimeParamNs(q.until, 'until');
  const read = () =>
    d.readLogs(c.LogPath, {
      since,
      until,
      tail,
      follow: q.follow && c.State.Running,
      signal: q.signal,
      until_stopped: q.follow ? d.exited(c.Id) : undefined,
    });
  return { tty: !!c.Config.Tty, entries: chosenStreams(read, q) };
}

async function* chosenStreams(read: () => AsyncIterable<LogEntry>, q: { stdout: boolean; stderr: boolean }): AsyncIterable<LogEntry> {
  for await (const e of read()) {
    if ((e.stream === 'stdout' && q.stdout) || (e.stream === 'stderr' && q.stderr)) yield e;
  }
}
