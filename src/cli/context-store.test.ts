import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextStore, contextId, validateContextName } from './context-store.js';

test('contexts live where the docker CLI keeps them; export and import round-trip the TLS files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
  const s = new ContextStore(dir);
  s.save({ Name: 'vps', Metadata: { Description: 'd' }, Endpoints: { docker: { Host: 'tcp://vps:2376', SkipTLSVerify: false } } }, { 'ca.pem': Buffer.from('CA'), 'key.pem': Buffer.from('KEY') });
  const id = contextId('vps');
  assert.equal(readFileSync(join(dir, 'contexts', 'meta', id, 'meta.json'), 'utf8'), '{"Name":"vps","Metadata":{"Description":"d"},"Endpoints":{"docker":{"Host":"tcp://vps:2376","SkipTLSVerify":false}}}');
  assert.equal(statSync(join(dir, 'contexts', 'tls', id, 'docker', 'key.pem')).mode & 0o777, 0o600);
  s.setCurrent('vps');
  assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).currentContext, 'vps');
  const archive = await s.export('vps');
  await s.import('copy', archive);
  assert.equal(s.get('copy')?.Endpoints.docker?.Host, 'tcp://vps:2376');
  assert.equal(s.tls('copy')['key.pem']?.toString(), 'KEY');
  assert.deepEqual(s.list().map((m) => m.Name), ['copy', 'vps']);
  s.setCurrent('default');
  assert.equal(s.current(), 'default');
  assert.throws(() => validateContextName('default'), /reserved/);
  assert.throws(() => validateContextName('a b'), /invalid/);
});
