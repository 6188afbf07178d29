import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandGroupsFor, commandWord } from './command-groups.js';

test('the command word skips global options and their values', () => {
  assert.equal(commandWord(['-H', 'unix:///x.sock', 'run', '-d', 'busybox']), 'run');
  assert.equal(commandWord(['--host=unix:///x.sock', '--debug', 'ps', '-a']), 'ps');
  assert.equal(commandWord(['--config', '/tmp/c', '-l', 'debug', 'network', 'ls']), 'network');
  assert.equal(commandWord(['--help']), undefined);
});

test('a known command loads only its groups; help or an unknown word loads them all', async () => {
  assert.equal((await commandGroupsFor(['ps'])).registers.length, 1);
  assert.ok((await commandGroupsFor(['container', 'ls'])).registers.length >= 2, 'container and the groups that add verbs under it');
  const all = (await commandGroupsFor([])).registers.length;
  assert.ok(all >= 6);
  assert.equal((await commandGroupsFor(['bogus'])).registers.length, all);
});

test('--version alone loads no command group; with --help it still loads them all', async () => {
  assert.equal((await commandGroupsFor(['--version'])).registers.length, 0);
  assert.equal((await commandGroupsFor(['-H', 'unix:///x.sock', '-v'])).registers.length, 0);
  assert.ok((await commandGroupsFor(['--version', '--help'])).registers.length >= 6);
});

test('a top-level container verb builds only its own command; `container` builds them all', async () => {
  const { buildProgram } = await import('./program.js');
  const noEnv = () => assert.fail('no command runs here');
  const names = async (argv: string[]) => (await buildProgram(noEnv, argv)).commands.map((c) => c.name());
  assert.deepEqual(await names(['ps', '-a']), ['ps']);
  assert.deepEqual(await names(['run', '--rm', 'busybox']), ['run']);
  assert.ok((await names(['stop', 'x'])).includes('stop'));
  const group = (await buildProgram(noEnv, ['container', 'ls'])).commands.find((c) => c.name() === 'container');
  assert.ok(group?.commands.some((c) => c.name() === 'run') && group.commands.some((c) => c.name() === 'ls'));
  assert.ok((await names(['--help'])).includes('ps'));
});
