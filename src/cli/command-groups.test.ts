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
  assert.equal((await commandGroupsFor(['ps'])).length, 1);
  assert.ok((await commandGroupsFor(['container', 'ls'])).length >= 2, 'container and the groups that add verbs under it');
  const all = (await commandGroupsFor([])).length;
  assert.ok(all >= 6);
  assert.equal((await commandGroupsFor(['bogus'])).length, all);
});

test('--version alone loads no command group; with --help it still loads them all', async () => {
  assert.equal((await commandGroupsFor(['--version'])).length, 0);
  assert.equal((await commandGroupsFor(['-H', 'unix:///x.sock', '-v'])).length, 0);
  assert.ok((await commandGroupsFor(['--version', '--help'])).length >= 6);
});
