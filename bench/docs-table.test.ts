import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { updateDocs } from './docs-table.js';
import { buildReport } from './report.js';
import { Results } from './results.js';

test('the results block is replaced and the text around it kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-docs-'));
  try {
    const path = join(dir, 'b.md');
    writeFileSync(path, '# T\n\n<!-- bench:results -->\nold\n<!-- /bench:results -->\n\ntail\n');
    const results = new Results();
    results.add({ scenario: 'api-version', case: 'keep-alive', engine: 'docker', unit: 's', samples: [0.01] });
    const report = buildReport(results, { generatedAt: 'T0', quick: false, host: { kernel: '6.1', cpus: 2, node: 'v20' }, versions: { docker: '28' }, unavailable: {} });
    updateDocs(path, report);
    updateDocs(path, report);
    const text = readFileSync(path, 'utf8');
    assert.doesNotMatch(text, /old/);
    assert.match(text, /^# T\n\n<!-- bench:results -->\nRun of T0 on Linux 6\.1, 2 CPUs, Node v20\.\nVersions: Docker 28\.\n\n\| scenario/);
    assert.equal(text.match(/\| api-version \|/g)?.length, 1);
    assert.match(text, /<!-- \/bench:results -->\n\ntail\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
