import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBenchOptions } from './bench-options.js';

const names = ['api-version', 'run-rm-true'];

test('defaults, --quick, --only lists and --engines', () => {
  assert.deepEqual(parseBenchOptions([], 'x.json', names), { quick: false, only: undefined, engines: ['berth', 'docker-cli-berth', 'docker', 'podman', 'crun'], list: false, out: 'x.json', docs: false, rmRuns: [100, 1000], scale: [10, 100, 500] });
  const o = parseBenchOptions(['--quick', '--only', 'api-version', '--only', 'run-rm-true', '--engines', 'berth,docker', '--out', 'y.json'], 'x.json', names);
  assert.deepEqual(o, { quick: true, only: ['api-version', 'run-rm-true'], engines: ['berth', 'docker'], list: false, out: 'y.json', docs: false, rmRuns: [100, 1000], scale: [10, 100, 500] });
  assert.deepEqual(parseBenchOptions(['--only', 'api-version,run-rm-true'], 'x', names).only, names);
});

test('unknown scenarios, engines and flags are refused', () => {
  assert.throws(() => parseBenchOptions(['--only', 'nope'], 'x', names), /unknown scenario nope/);
  assert.throws(() => parseBenchOptions(['--engines', 'lxc'], 'x', names), /unknown engine lxc/);
  assert.throws(() => parseBenchOptions(['--fast'], 'x', names), /Unknown option/);
});

test('--rm-runs and --scale take sorted counts', () => {
  const o = parseBenchOptions(['--rm-runs', '300,100', '--scale', '100,10'], 'x', names);
  assert.deepEqual([o.rmRuns, o.scale], [[100, 300], [10, 100]]);
  assert.throws(() => parseBenchOptions(['--scale', '10,x'], 'x', names), /positive whole numbers/);
});
