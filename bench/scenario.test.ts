import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliEngine } from './engines.js';
import { measureEach, type BenchContext } from './scenario.js';

test('measureEach skips an engine that fails with its error and still measures the rest', async () => {
  const skipped: string[][] = [];
  const ctx = { results: { skip: (...a: string[]) => skipped.push(a) } } as unknown as BenchContext;
  const engines = [{ id: 'berth' }, { id: 'docker' }] as CliEngine[];
  const measured: string[] = [];
  await measureEach(ctx, 'memory', engines, async (e) => {
    if (e.id === 'berth') throw new Error('no daemon');
    measured.push(e.id);
  });
  assert.deepEqual(measured, ['docker']);
  assert.deepEqual(skipped, [['memory', 'berth', 'failed: no daemon']]);
});
