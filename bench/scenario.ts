import type { CliEngine, EngineId, EngineSet } from './engines.js';
import type { Results, Unit } from './results.js';

export interface BenchImages {
  busybox: string;
  nginx: string;
}

/** What every scenario gets. */
export interface BenchContext {
  engines: EngineSet;
  results: Results;
  quick: boolean;
  images: BenchImages;
  /** --rm-runs and --scale (see bench-options.ts). */
  rmRuns: readonly number[];
  scale: readonly number[];
  log(message: string): void;
}

/** A named measurement; `npm run bench -- --only <name>` runs just the ones named. */
export interface Scenario {
  name: string;
  /** One line for the docs and --list. */
  measures: string;
  /** The fixture images it uses. */
  images: readonly (keyof BenchImages)[];
  run(ctx: BenchContext): Promise<void>;
}

/** Something a scenario can time: a CLI engine or crun alone. */
export interface Timed {
  id: EngineId;
}

export interface AlternateOptions<E extends Timed> {
  scenario: string;
  case: string;
  unit?: Unit;
  iterations: number;
  goals?: Partial<Record<EngineId, string>>;
  /** Untimed run first (caches, page cache, lazy daemons); a failure here skips the engine with the reason. */
  warmup?: (engine: E) => Promise<void>;
  /** A note for an engine's row, asked when the rows are written. */
  noteFor?: (engine: E) => string | undefined;
  /** One timed sample. */
  sample: (engine: E, iteration: number) => Promise<number>;
}

/**
 * Takes samples round-robin across engines (the starting engine rotates each round), so slow drift on
 * the machine touches every engine alike. An engine that fails is dropped with its error as a skip note.
 */
export async function alternate<E extends Timed>(ctx: BenchContext, engines: readonly E[], opts: AlternateOptions<E>): Promise<void> {
  let live = [...engines];
  const samples = new Map<E, number[]>(engines.map((e) => [e, []]));
  const drop = (e: E, err: unknown): void => {
    ctx.results.skip(opts.scenario, e.id, `failed: ${(err as Error).message}`);
    ctx.log(`  ${e.id}: ${(err as Error).message}`);
    live = live.filter((x) => x !== e);
  };
  if (opts.warmup) {
    for (const e of [...live]) {
      try {
        await opts.warmup(e);
      } catch (err) {
        drop(e, err);
      }
    }
  }
  for (let i = 0; i < opts.iterations; i++) {
    const order = live.map((_, k) => live[(k + i) % live.length]!);
    for (const e of order) {
      if (!live.includes(e)) continue;
      try {
        samples.get(e)!.push(await opts.sample(e, i));
      } catch (err) {
        drop(e, err);
      }
    }
  }
  for (const e of live) {
    ctx.results.add({ scenario: opts.scenario, case: opts.case, engine: e.id, unit: opts.unit ?? 's', samples: samples.get(e)!, goal: opts.goals?.[e.id], note: opts.noteFor?.(e) });
  }
}

/** One CLI engine per daemon (berth's own CLI over the docker CLI → berthd), for daemon-side measurements. */
export function onePerDaemon(engines: readonly CliEngine[]): CliEngine[] {
  const seen = new Set<string>();
  return engines.filter((e) => !seen.has(e.family) && seen.add(e.family));
}

/** Measures each engine in turn: one that fails is skipped with its error, and the rest still run. */
export async function measureEach(ctx: BenchContext, scenario: string, engines: readonly CliEngine[], measure: (e: CliEngine) => Promise<void>): Promise<void> {
  for (const e of engines) {
    try {
      await measure(e);
    } catch (err) {
      ctx.results.skip(scenario, e.id, `failed: ${(err as Error).message}`);
    }
  }
}
