import { parseArgs } from 'node:util';
import { ENGINE_IDS, type EngineId } from './engines.js';

export interface BenchOptions {
  quick: boolean;
  only?: string[];
  engines: EngineId[];
  list: boolean;
  out: string;
  /** Also write the table into docs/benchmarks.md. */
  docs: boolean;
  /** memory-growth: daemon RSS is read after each of these many `run --rm` in total. */
  rmRuns: number[];
  /** scale: the numbers of running containers the costs are measured at. */
  scale: number[];
}

export const USAGE = `usage: npm run bench -- [--quick] [--only <scenario>[,<scenario>…]] [--engines ${ENGINE_IDS.join(',')}] [--out <file.json>] [--docs] [--list] [--rm-runs 100,1000] [--scale 10,100,500]`;

/** Parses the bench's command line; throws with the usage on anything unknown. */
export function parseBenchOptions(argv: readonly string[], defaultOut: string, scenarioNames: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      engines: { type: 'string' },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
      docs: { type: 'boolean', default: false },
      'rm-runs': { type: 'string' },
      scale: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) throw new Error(USAGE);
  const split = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
  const only = values.only?.flatMap(split);
  const unknown = only?.filter((n) => !scenarioNames.includes(n)) ?? [];
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${scenarioNames.join(', ')}`);
  const engines = values.engines ? split(values.engines) : [...ENGINE_IDS];
  const badEngine = engines.filter((e) => !ENGINE_IDS.includes(e as EngineId));
  if (badEngine.length) throw new Error(`unknown engine ${badEngine.join(', ')}; known: ${ENGINE_IDS.join(', ')}`);
  const counts = (flag: string, v: string | undefined, dflt: number[]): number[] => {
    if (v === undefined) return dflt;
    const n = split(v).map(Number);
    if (!n.length || n.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${flag} takes positive whole numbers, comma-separated: ${v}`);
    return [...new Set(n)].sort((a, b) => a - b);
  };
  return {
    quick: values.quick ?? false,
    only,
    engines: engines as EngineId[],
    list: values.list ?? false,
    out: values.out ?? defaultOut,
    docs: values.docs ?? false,
    rmRuns: counts('rm-runs', values['rm-runs'], [100, 1000]),
    scale: counts('scale', values.scale, [10, 100, 500]),
  };
}
