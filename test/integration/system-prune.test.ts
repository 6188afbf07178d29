import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readJsonLines } from '../helpers/raw-client.js';
import { api, berth, ROOT, run, TEST_HOST } from '../helpers/daemon.js';

// `berth system prune`: -a, --volumes and --filter as docker's, scoped here by a label so the
// run's other resources stay.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const LABEL = 'lc-prune=1';
const made = { containers: [] as string[], networks: [] as string[], volumes: [] as string[] };

before(async () => {
  const res = await api().stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
});

after(async () => {
  for (const id of made.containers) await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } }).catch(() => undefined);
  for (const n of made.networks) await api().call('DELETE', `/networks/${n}`).catch(() => undefined);
  for (const v of made.volumes) await api().call('DELETE', `/volumes/${v}`).catch(() => undefined);
});

async function stopped(labels: Record<string, string>): Promise<string> {
  const { Id } = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['true'], Labels: labels } });
  made.containers.push(Id);
  return Id;
}

const exists = (path: string) => api().call('GET', path).then(() => true, () => false);

test('system prune removes what the filter matches; --volumes only anonymous ones unless -a', async () => {
  const marked = await stopped({ 'lc-prune': '1' });
  const other = await stopped({});
  const net = (await api().call('POST', '/networks/create', { body: { Name: 'lc-prune-net', Labels: { 'lc-prune': '1' }, IPAM: { Config: [{ Subnet: '10.251.40.0/24' }] } } })).Id;
  made.networks.push(net);
  await api().call('POST', '/volumes/create', { body: { Name: 'lc-prune-vol', Labels: { 'lc-prune': '1' } } });
  made.volumes.push('lc-prune-vol');

  const r = await berth('system', 'prune', '-f', '--volumes', '--filter', `label=${LABEL}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Deleted Containers:\\n${marked}\\n`));
  assert.match(r.stdout, /Deleted Networks:\nlc-prune-net\n/);
  assert.match(r.stdout, /Total reclaimed space: /);
  assert.equal(await exists(`/containers/${marked}/json`), false);
  assert.equal(await exists(`/containers/${other}/json`), true, 'an unlabelled container stays');
  assert.equal(await exists(`/networks/${net}`), false);
  assert.equal(await exists('/volumes/lc-prune-vol'), true, 'a named volume stays without -a');

  const all = await berth('system', 'prune', '-f', '-a', '--volumes', '--filter', `label=${LABEL}`);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /Deleted Volumes:\nlc-prune-vol\n/);
  assert.equal(await exists('/volumes/lc-prune-vol'), false);
  assert.equal(await exists(`/images/${encodeURIComponent(BUSYBOX)}/json`), true, 'an image without the label stays');
});

test('system prune asks first, and refuses until= with --volumes as docker does', async () => {
  const id = await stopped({ 'lc-prune': '1' });
  const no = await run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', TEST_HOST, 'system', 'prune', '--filter', `label=${LABEL}`], { input: 'n\n' });
  assert.equal(no.code, 0);
  assert.match(no.stdout, /WARNING! This will remove:\n {2}- all stopped containers\n/);
  assert.match(no.stdout, /Items to be pruned will be filtered with:\n {2}- label=lc-prune=1\n/);
  assert.equal(await exists(`/containers/${id}/json`), true);
  const bad = await berth('system', 'prune', '-f', '--volumes', '--filter', 'until=1h');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /The "until" filter is not supported with "--volumes"/);
});
