import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfigFile } from './config.js';

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

test('TLS keys and flags: --tlsverify=false is explicit false, certificate paths default to /etc/berth/tls', () => {
  const { config } = loadConfig(['--config-file', '/dev/null', '--tlsverify=false', '--tls', '--tlscert', '/x/cert.pem']);
  assert.equal(config.tlsverify, false);
  assert.equal(config.tls, true);
  assert.equal(config.tlscert, '/x/cert.pem');
  assert.equal(config.tlscacert, '/etc/berth/tls/ca.pem');
  assert.equal(parseConfigFile('{"tlsverify": true, "tlskey": "/k.pem"}').tlsverify, true);
});
