import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, renderMarkdown, renderText } from './report.js';
import { Results } from './results.js';

test('ratios are against Docker for the same scenario and case; skips become notes', () => {
  const results = new Results();
  results.add({ scenario: 'run-rm-true', case: 'run --rm', engine: 'docker', unit: 's', samples: [0.4, 0.3, 0.35] });
  results.add({ scenario: 'run-rm-true', case: 'run --rm', engine: 'berth', unit: 's', samples: [0.07, 0.07], goal: '≤ 0.12 s' });
  results.add({ scenario: 'memory', case: 'daemon idle', engine: 'berth', unit: 'MiB', samples: [40.25] });
  results.skip('run-rm-true', 'podman', 'failed: boom');
  const report = buildReport(results, { generatedAt: 'now', quick: true, host: { kernel: 'k', cpus: 2, node: 'v20' }, versions: {}, unavailable: { crun: 'not installed' } });
  const berth = report.rows.find((r) => r.engine === 'berth' && r.scenario === 'run-rm-true')!;
  assert.equal(berth.ratioToDocker!.toFixed(2), '0.20');
  assert.equal(report.rows.find((r) => r.engine === 'docker')!.ratioToDocker, null);
  assert.equal(report.rows.find((r) => r.scenario === 'memory')!.ratioToDocker, null);
  const text = renderText(report);
  assert.match(text, /run-rm-true\s+run --rm\s+berth\s+2\s+0\.070 s\s+0\.070 s\s+0\.20×\s+≤ 0\.12 s/);
  assert.match(text, /40\.3 MiB/);
  assert.match(text, /crun alone: not available: not installed/);
  assert.match(text, /run-rm-true \/ Podman: failed: boom/);
  const md = renderMarkdown(report);
  assert.match(md, /^\| scenario \| case \|/);
  assert.match(md, /\| run-rm-true \| run --rm \| Docker \| 3 \| 0\.350 s \| 0\.400 s \|/);
});
