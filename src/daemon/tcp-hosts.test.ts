import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTcpHosts } from './tcp-hosts.js';
import { tlsMode } from './config.js';

test('a non-loopback tcp host without client verification is refused with dockerd words', () => {
  for (const tls of [{}, { tls: true, tlsverify: false }, { tlsverify: false }]) {
    assert.throws(() => checkTcpHosts({ hosts: ['tcp://0.0.0.0:2375'], ...tls }), /Binding to IP address without --tlsverify is insecure/);
  }
  assert.throws(() => checkTcpHosts({ hosts: ['tcp://example.com:2375'] }), /refusing to listen on tcp:\/\/example.com:2375/);
});

test('loopback without verification warns; mutual TLS anywhere is fine', () => {
  assert.equal(checkTcpHosts({ hosts: ['tcp://127.0.0.1:2375', 'tcp://localhost:1', 'tcp://[::1]:2'] }).length, 3);
  assert.deepEqual(checkTcpHosts({ hosts: ['tcp://0.0.0.0:2376'], tlsverify: true }), []);
  assert.deepEqual(checkTcpHosts({ hosts: ['unix:///run/x.sock'] }), []);
});

test('tlsverify false never turns TLS on (moby#27105); tls alone verifies clients as dockerd does', () => {
  assert.equal(tlsMode({ tlsverify: false }), 'off');
  assert.equal(tlsMode({ tls: true }), 'mutual');
  assert.equal(tlsMode({ tls: true, tlsverify: false }), 'server');
  assert.equal(tlsMode({ tlsverify: true }), 'mutual');
  assert.equal(tlsMode({}), 'off');
});
