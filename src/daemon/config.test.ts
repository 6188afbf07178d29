import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_KEY_DOCS, FLAG_DOCS } from './config-docs.js';
import { autoUpgradeSeconds, DAEMON_FLAGS, defaultConfig, loadConfig, parseConfigFile } from './config.js';

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

test('registry mirrors are normalised, bad ones refused with dockerd\'s message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ 'registry-mirrors': ['http://127.0.0.1:5000', 'https://mirror.example/'] }));
  assert.deepEqual(loadConfig(['--config-file', file]).config['registry-mirrors'], ['http://127.0.0.1:5000/', 'https://mirror.example/']);
  writeFileSync(file, JSON.stringify({ 'registry-mirrors': ['ftp://mirror.example'] }));
  assert.throws(() => loadConfig(['--config-file', file]), { message: 'invalid mirror: unsupported scheme "ftp" in "ftp://mirror.example"' });
});

test('exec-opts come from daemon.json or --exec-opt, as dockerd\'s (native.cgroupdriver)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ 'exec-opts': ['native.cgroupdriver=systemd'] }));
  assert.deepEqual(loadConfig(['--config-file', file]).config['exec-opts'], ['native.cgroupdriver=systemd']);
  assert.deepEqual(loadConfig(['--config-file', file, '--exec-opt', 'native.cgroupdriver=cgroupfs']).config['exec-opts'], ['native.cgroupdriver=cgroupfs']);
  assert.deepEqual(loadConfig(['--config-file', '/dev/null']).config['exec-opts'], []);
});

test('every daemon.json key and berthd flag is described for the manuals', () => {
  for (const key of Object.keys(defaultConfig())) assert.ok(CONFIG_KEY_DOCS[key], `daemon.json key ${key} has no description in config-docs.ts`);
  for (const flag of Object.keys(DAEMON_FLAGS)) assert.ok(FLAG_DOCS[flag], `flag --${flag} has no description in config-docs.ts`);
});

test('TLS keys and flags: --tlsverify=false is explicit false, certificate paths default to /etc/berth/tls', () => {
  const { config } = loadConfig(['--config-file', '/dev/null', '--tlsverify=false', '--tls', '--tlscert', '/x/cert.pem']);
  assert.equal(config.tlsverify, false);
  assert.equal(config.tls, true);
  assert.equal(config.tlscert, '/x/cert.pem');
  assert.equal(config.tlscacert, '/etc/berth/tls/ca.pem');
  assert.equal(parseConfigFile('{"tlsverify": true, "tlskey": "/k.pem"}').tlsverify, true);
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
