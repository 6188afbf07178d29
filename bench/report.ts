import { ENGINE_LABELS, type EngineId } from './engines.js';
import type { ResultRow, Results, SkipNote, Unit } from './results.js';

export interface BenchReport {
  generatedAt: string;
  quick: boolean;
  host: { kernel: string; cpus: number; node: string };
  versions: Partial<Record<EngineId, string>>;
  unavailable: Partial<Record<EngineId, string>>;
  rows: (ResultRow & { ratioToDocker: number | null })[];
  skips: SkipNote[];
}

export function formatValue(v: number | null, unit: Unit): string {
  if (v === null) return '–';
  if (unit === 's') return `${v.toFixed(3)} s`;
  if (unit === 'MiB') return `${v.toFixed(1)} MiB`;
  if (unit === 'req/s') return `${v.toFixed(0)} req/s`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function ratio(row: ResultRow, results: Results): number | null {
  const docker = results.dockerMedian(row.scenario, row.case);
  // A ratio of process counts says nothing (0 / 10); times and memory compare well.
  if (row.unit === 'processes' || docker === null || docker === 0 || row.summary.median === null || row.engine === 'docker') return null;
  return row.summary.median / docker;
}

export function buildReport(results: Results, base: Omit<BenchReport, 'rows' | 'skips'>): BenchReport {
  return { ...base, rows: results.rows.map((r) => ({ ...r, ratioToDocker: ratio(r, results) })), skips: results.skips };
}

const HEADERS = ['scenario', 'case', 'engine', 'n', 'median', 'p90', '× Docker', 'goal (berth)', 'note'];

function cells(r: BenchReport['rows'][number]): string[] {
  return [
    r.scenario,
    r.case,
    ENGINE_LABELS[r.engine],
    String(r.summary.n),
    formatValue(r.summary.median, r.unit),
    r.summary.n > 1 ? formatValue(r.summary.p90, r.unit) : '',
    r.ratioToDocker === null ? '' : `${r.ratioToDocker.toFixed(2)}×`,
    r.goal ?? '',
    r.note ?? '',
  ];
}

/** A fixed-width table for the terminal. */
export function renderText(report: BenchReport): string {
  const table = [HEADERS, ...report.rows.map(cells)];
  const widths = HEADERS.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]): string => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const out = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...report.rows.map((r) => line(cells(r)))];
  const notes = renderSkips(report);
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** The same table in Markdown, for docs/benchmarks.md. */
export function renderMarkdown(report: BenchReport): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`, ...report.rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`)];
  const notes = renderSkips(report).map((n) => `- ${esc(n)}`);
  return [...out, ...(notes.length ? ['', 'Not measured:', '', ...notes] : [])].join('\n');
}

function renderSkips(report: BenchReport): string[] {
  const lines = Object.entries(report.unavailable).map(([id, why]) => `${ENGINE_LABELS[id as EngineId]}: not available: ${why}`);
  for (const s of report.skips) lines.push(`${s.scenario} / ${ENGINE_LABELS[s.engine]}: ${s.reason}`);
  return lines;
}
