import { setTimeout as sleepFor } from 'node:timers/promises';
import type { ContainerRecord } from './container-model.js';
import type { StatsSample } from './container-stats.js';

// GET /containers/{name}/stats: one sample (two for precpu_stats), or one a second while the
// container runs, as dockerd's stats collector sends them.

export type StatsSampler = (c: ContainerRecord, previous?: StatsSample) => { json: Record<string, unknown>; sample?: StatsSample };

export interface StatsStreamDeps {
  get(ref: string): ContainerRecord;
  sample: StatsSampler;
  /** Waits `ms` unless aborted (tests pass one that does not wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface StatsRequest {
  stream: boolean;
  oneShot: boolean;
  signal?: AbortSignal;
}

const INTERVAL_MS = 1000;
/** dockerd waits for a second sample so precpu_stats is filled, unless one-shot. */
const PRECPU_WAIT_MS = 500;

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
  return o.stream ? everySecond(d.sample, c, sleep, o.signal) : single(d.sample, c, sleep, o);
}

async function* single(sample: StatsSampler, c: ContainerRecord, sleep: NonNullable<StatsStreamDeps['sleep']>, o: StatsRequest) {
  const first = sample(c);
  if (o.oneShot || !c.State.Running) {
    yield first.json;
    return;
  }
  await sleep(PRECPU_WAIT_MS, o.signal);
  yield sample(c, first.sample).json;
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
