import { setTimeout as sleepFor } from 'node:timers/promises';
import type { ContainerRecord } from './container-model.js';
import type { StatsSample } from './container-stats.js';

// GET /containers/{name}/stats: one sample (two for precpu_stats), or one a second while the
// container runs, as dockerd's stats collector sends them.

export type StatsSampler = (c: ContainerRecord, previous?: StatsSample) => { json: Record<string, unknown>; sample?: StatsSample };

export interface StatsStreamDeps {
  get(ref: string): ContainerRecord;
  sample: StatsSampler;
  /** A cheaper sample that only fills the next document's precpu_stats (default: a full one). */
  precpu?: (c: ContainerRecord) => StatsSample | undefined;
  /** Waits `ms` unless aborted (tests pass one that does not wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface StatsRequest {
  stream: boolean;
  oneShot: boolean;
  signal?: AbortSignal;
}

const INTERVAL_MS = 1000;
/**
 * dockerd waits for a second sample so precpu_stats is filled, unless one-shot. A quarter second
 * spans 25 ticks of /proc/stat's 100 Hz clock per CPU, enough for a CPU percentage within a few
 * points, and leaves the docker CLI (which renders --no-stream on its next 500 ms tick after the
 * last answer) inside a second.
 */
const PRECPU_WAIT_MS = 250;

async function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * The stats documents to send, in order. The container is looked up at once (a missing one fails
 * before any output); a stream ends after the first sample taken once it stopped, or on abort.
 */
export function statsStream(d: StatsStreamDeps, ref: string, o: StatsRequest): AsyncIterable<Record<string, unknown>> {
  const c = d.get(ref);
  const sleep = d.sleep ?? realSleep;
  return o.stream ? everySecond(d.sample, c, sleep, o.signal) : single(d, c, sleep, o);
}

async function* single(d: StatsStreamDeps, c: ContainerRecord, sleep: NonNullable<StatsStreamDeps['sleep']>, o: StatsRequest) {
  if (o.oneShot || !c.State.Running) {
    yield d.sample(c).json;
    return;
  }
  const first = d.precpu ? d.precpu(c) : d.sample(c).sample;
  await sleep(PRECPU_WAIT_MS, o.signal);
  yield d.sample(c, first).json;
}

async function* everySecond(sample: StatsSampler, c: ContainerRecord, sleep: NonNullable<StatsStreamDeps['sleep']>, signal?: AbortSignal) {
  let previous: StatsSample | undefined;
  while (!signal?.aborted) {
    const s = sample(c, previous);
    previous = s.sample;
    yield s.json;
    // The record is the service's own: its State follows the container.
    if (!c.State.Running) return;
    await sleep(INTERVAL_MS, signal);
  }
}
