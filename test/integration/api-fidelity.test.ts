import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readJsonLines, type ApiError } from '../helpers/raw-client.js';
import { busyboxFile, BUSYBOX } from '../helpers/busybox.js';
import { api } from '../helpers/daemon.js';

// Behaviour docker-py's integration suite expects of dockerd beyond the happy path: what prune
// reclaims, anonymous volumes, load errors inside the stream.

const created = busyboxFile();

test('container prune reports the containers it removed and the space their layers held', async () => {
  const label = `berth-fidelity-${process.pid}`;
  const { Id } = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['sh', '-c', 'echo hello > /data.txt'], Labels: { [label]: '1' } } });
  created.push(Id);
  await api().call('POST', `/containers/${Id}/start`);
  await api().call('POST', `/containers/${Id}/wait`);
  const r = await api().call('POST', '/containers/prune', { query: { filters: JSON.stringify({ label: [label] }) } });
  assert.deepEqual(r.ContainersDeleted, [Id]);
  assert.ok(r.SpaceReclaimed > 0);
  const none = await api().call('POST', '/containers/prune', { query: { filters: JSON.stringify({ label: [label] }) } });
  assert.equal(none.ContainersDeleted, null);
});

test('a volume created without a name is anonymous, so a plain prune takes it', async () => {
  const v = await api().call('POST', '/volumes/create', { body: {} });
  assert.equal(v.Labels['com.docker.volume.anonymous'], '');
  const named = await api().call('POST', '/volumes/create', { body: { Name: `berth-fidelity-${process.pid}` } });
  const r = await api().call('POST', '/volumes/prune');
  assert.ok(r.VolumesDeleted.includes(v.Name));
  assert.ok(!r.VolumesDeleted.includes(named.Name));
  await api().call('DELETE', `/volumes/${named.Name}`);
});

test('loading a bad archive answers 200 and reports the error inside the stream', async () => {
  const res = await api().stream('POST', '/images/load', { rawBody: Buffer.from('abc'), headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(res.statusCode, 200);
  const messages = [];
  for await (const m of readJsonLines(res)) messages.push(m);
  assert.ok(messages.some((m) => typeof m.error === 'string' && m.errorDetail?.message === m.error), JSON.stringify(messages));
});

test('a committed image records its parent: inspect Parent, history ids, rmi conflicts and parent pruning', async () => {
  const base = (await api().call('GET', `/images/${BUSYBOX}/json`)).Id as string;
  const commit = async (from: string, file: string, repo: string): Promise<string> => {
    const { Id } = await api().call('POST', '/containers/create', { body: { Image: from, Cmd: ['sh', '-c', `echo x > /${file}`] } });
    created.push(Id);
    await api().call('POST', `/containers/${Id}/start`);
    await api().call('POST', `/containers/${Id}/wait`);
    const img = (await api().call('POST', '/commit', { query: { container: Id, repo, tag: 'v1' } })).Id as string;
    await api().call('DELETE', `/containers/${Id}`);
    return img;
  };
  const repo = `berth-fidelity-${process.pid}`;
  const parent = await commit(BUSYBOX, 'one', `${repo}-parent`);
  const child = await commit(`${repo}-parent:v1`, 'two', `${repo}-child`);
  assert.equal((await api().call('GET', `/images/${child}/json`)).Parent, parent);
  assert.equal((await api().call('GET', `/images/${parent}/json`)).Parent, base);
  const history = await api().call('GET', `/images/${child}/history`);
  assert.deepEqual(history.slice(0, 3).map((h: { Id: string }) => h.Id), [child, parent, base]);
  await assert.rejects(api().call('DELETE', `/images/${parent}`), (e: ApiError) => e.status === 409 && /image has dependent child images/.test(e.message));
  // Untagging the parent keeps it (it has a child) and hides it from the plain list.
  assert.deepEqual(await api().call('DELETE', `/images/${repo}-parent:v1`), [{ Untagged: `${repo}-parent:v1` }]);
  const plain = await api().call('GET', '/images/json');
  assert.ok(!plain.some((i: { Id: string }) => i.Id === parent));
  const all = await api().call('GET', '/images/json', { query: { all: '1' } });
  assert.ok(all.some((i: { Id: string }) => i.Id === parent));
  // Removing the child takes the untagged parent with it.
  const gone = (await api().call('DELETE', `/images/${repo}-child:v1`)) as { Deleted?: string }[];
  assert.ok(gone.some((r) => r.Deleted === child));
  assert.ok(gone.some((r) => r.Deleted === parent));
});
