import { readFileSync, writeFileSync } from 'node:fs';
import { ENGINE_LABELS, type EngineId } from './engines.js';
import { renderMarkdown, type BenchReport } from './report.js';

const START = '<!-- bench:results -->';
const END = '<!-- /bench:results -->';

/** The results section for docs/benchmarks.md: when, where, which versions, then the table. */
export function resultsSection(report: BenchReport): string {
  const versions = Object.entries(report.versions).map(([id, v]) => `${ENGINE_LABELS[id as EngineId]} ${v}`);
  return [
    `Run of ${report.generatedAt}${report.quick ? ' (`--quick`)' : ''} on Linux ${report.host.kernel}, ${report.host.cpus} CPUs, Node ${report.host.node}.`,
    `Versions: ${versions.join('; ')}.`,
    '',
    renderMarkdown(report),
  ].join('\n');
}

/** Replaces the text between the bench:results markers of a Markdown file with the report's section. */
export function updateDocs(path: string, report: BenchReport): void {
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${path} has no ${START} … ${END} block`);
  writeFileSync(path, `${text.slice(0, a + START.length)}\n${resultsSection(report)}\n${text.slice(b)}`);
}
