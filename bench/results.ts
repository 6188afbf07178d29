import type { EngineId } from './engines.js';
import { summarize, type Summary } from './stats.js';

export type Unit = 's' | 'MiB' | 'processes' | 'req/s';

/** One measured line: a scenario (and case within it) for one engine. */
export interface ResultRow {
  scenario: string;
  case: string;
  engine: EngineId;
  unit: Unit;
  samples: number[];
  summary: Summary;
  /** The target for berth on this line, for the reader; never asserted. */
  goal?: string;
  note?: string;
}

/** An engine that took no part in a scenario, and why. */
export interface SkipNote {
  scenario: string;
  engine: EngineId;
  reason: string;
}

/** Collects rows and skips as scenarios run; the report renders them. */
export class Results {
  readonly rows: ResultRow[] = [];
  readonly skips: SkipNote[] = [];

  add(row: Omit<ResultRow, 'summary'>): void {
    this.rows.push({ ...row, summary: summarize(row.samples) });
  }

  skip(scenario: string, engine: EngineId, reason: string): void {
    this.skips.push({ scenario, engine, reason: reason.replace(/\s+/g, ' ').slice(0, 300) });
  }

  /** The Docker median for the same scenario and case, for ratios. */
  dockerMedian(scenario: string, kase: string): number | null {
    return this.rows.find((r) => r.scenario === scenario && r.case === kase && r.engine === 'docker')?.summary.median ?? null;
  }
}
