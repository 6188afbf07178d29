import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextStore } from './context-store.js';
import { resolveEndpoint } from './endpoint.js';

test('-H, DOCKER_HOST, DOCKER_CONTEXT and currentContext are taken in the docker CLI order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ep-'));
  const store = new ContextStore(dir);
  store.save({ Name: 'vps', Metadata: {}, Endpoints: { docker: { Host: 'tcp://vps.example', SkipTLSVerify: false } } }, { 'ca.pem': Buffer.from('CA') });
  store.save({ Name: 'other', Metadata: {}, Endpoints: { docker: { Host: 'unix:///run/other.sock', SkipTLSVerify: false } } });
  store.setCurrent('other');
  assert.equal(resolveEndpoint({}, {}, dir).host, 'unix:///run/other.sock');
  assert.equal(resolveEndpoint({}, { DOCKER_CONTEXT: 'vps' }, dir).host, 'tcp://vps.example:2376');
  assert.equal(resolveEndpoint({}, { DOCKER_CONTEXT: 'vps', DOCKER_HOST: 'tcp://h:1' }, dir).host, 'tcp://h:1');
  assert.equal(resolveEndpoint({ host: ['tcp://h'] }, { DOCKER_CONTEXT: 'vps' }, dir).host, 'tcp://h:2375');
  const vps = resolveEndpoint({ context: 'vps' }, {}, dir);
  assert.equal(vps.tls?.ca?.toString(), 'CA');
  assert.equal(vps.tls?.verify, true);
  assert.throws(() => resolveEndpoint({ context: 'vps', host: ['tcp://x'] }, {}, dir), /conflicting options/);
  assert.throws(() => resolveEndpoint({ context: 'nope' }, {}, dir), /context "nope" does not exist/);
});

test('DOCKER_TLS_VERIFY picks the client files from DOCKER_CERT_PATH and port 2376', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ep-'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), f);
  const ep = resolveEndpoint({}, { DOCKER_HOST: 'tcp://10.0.0.1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }, '/nonexistent');
  assert.equal(ep.host, 'tcp://10.0.0.1:2376');
  assert.deepEqual([ep.tls?.ca?.toString(), ep.tls?.cert?.toString(), ep.tls?.key?.toString(), ep.tls?.verify], ['ca.pem', 'cert.pem', 'key.pem', true]);
  assert.throws(() => resolveEndpoint({ host: ['tcp://h'], tlsverify: true, tlscacert: '/nope/ca.pem' }, {}, dir), /could not read CA certificate "\/nope\/ca.pem"/);
});
