import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoUpgradeSeconds, loadConfig, parseConfigFile } from './config.js';

test('defaults are dockerd-like with berth paths', () => {
  const { config } = loadConfig(['--config-file', '/dev/null']);
  assert.deepEqual(config.hosts, ['unix:///run/berth/berth.sock']);
  assert.equal(config['data-root'], '/var/lib/berth');
  assert.equal(config['exec-root'], '/run/berth');
  assert.equal(config['max-concurrent-downloads'], 3);
});

test('daemon.json is read and flags override it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ 'data-root': '/srv/berth', 'log-level': 'warn', hosts: ['unix:///tmp/x.sock'] }));
  const { config } = loadConfig(['--config-file', file, '--log-level', 'debug']);
  assert.equal(config['data-root'], '/srv/berth');
  assert.equal(config['log-level'], 'debug');
  assert.deepEqual(config.hosts, ['unix:///tmp/x.sock']);
});

test('unknown keys and bad JSON are refused with dockerd-style messages', () => {
  assert.throws(() => parseConfigFile('{"nope": 1}'), /don't match any configuration option: nope/);
  assert.throws(() => parseConfigFile('{'), /unable to configure the daemon/);
});

test('revision-history and auto-upgrade-interval: defaults, durations, and bad values refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  const file = join(dir, 'daemon.json');
  const { config } = loadConfig(['--config-file', '/dev/null']);
  assert.equal(config['revision-history'], 5);
  assert.equal(autoUpgradeSeconds(config), 0);
  writeFileSync(file, JSON.stringify({ 'revision-history': 3, 'auto-upgrade-interval': '1h30m' }));
  const loaded = loadConfig(['--config-file', file]).config;
  assert.equal(loaded['revision-history'], 3);
  assert.equal(autoUpgradeSeconds(loaded), 5400);
  assert.equal(autoUpgradeSeconds({ 'auto-upgrade-interval': 600 }), 600);
  writeFileSync(file, JSON.stringify({ 'revision-history': 0 }));
  assert.throws(() => loadConfig(['--config-file', file]), /invalid revision-history/);
  writeFileSync(file, JSON.stringify({ 'auto-upgrade-interval': 'soon' }));
  assert.throws(() => loadConfig(['--config-file', file]), /invalid auto-upgrade-interval/);
});
