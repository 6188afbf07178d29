import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readJsonLines } from '../helpers/raw-client.js';
import { api, berth, docker } from '../helpers/daemon.js';

// /system/df (docker system df -v) against what is really written: a container's writable layer,
// a volume's data, and shared layers counted once.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const containers: string[] = [];
const images: string[] = [];

before(async () => {
  const res = await api().stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
});

after(async () => {
  for (const id of containers) await api().call('DELETE', `/containers/${id}`, { query: { force: '1', v: '1' } }).catch(() => undefined);
  for (const id of images) await api().call('DELETE', `/images/${id}`, { query: { force: '1' } }).catch(() => undefined);
  await api().call('DELETE', '/volumes/lc-df-vol').catch(() => undefined);
});

test('system df: SizeRw and a volume size are the bytes written; a layer shared by two images counts once', async () => {
  await api().call('POST', '/volumes/create', { body: { Name: 'lc-df-vol' } });
  const { Id } = await api().call('POST', '/containers/create', {
    body: {
      Image: BUSYBOX,
      Cmd: ['sh', '-c', 'head -c 100000 /dev/zero > /data.bin; head -c 50000 /dev/zero > /vol/v.bin'],
      HostConfig: { Binds: ['lc-df-vol:/vol'] },
    },
  });
  containers.push(Id);
  await api().call('POST', `/containers/${Id}/start`);
  await api().call('POST', `/containers/${Id}/wait`);
  const committed = await api().call('POST', '/commit', { query: { container: Id, repo: 'lc-df', tag: 'one' } });
  images.push(committed.Id);

  const df = await api().call('GET', '/system/df');
  const c = df.Containers.find((x: { Id: string }) => x.Id === Id);
  assert.equal(c.SizeRw, 100000);
  const v = df.Volumes.find((x: { Name: string }) => x.Name === 'lc-df-vol');
  assert.equal(v.UsageData.Size, 50000);
  const base = df.Images.find((i: { RepoTags: string[] }) => i.RepoTags?.includes(BUSYBOX));
  const mine = df.Images.find((i: { Id: string }) => i.Id === committed.Id);
  assert.ok(mine.Size >= base.Size + 100000, 'the committed image holds the base and the new layer');
  const imageSum = df.Images.reduce((s: number, i: { Size: number }) => s + i.Size, 0);
  assert.ok(df.LayersSize <= imageSum - base.Size, `LayersSize ${df.LayersSize} counts the shared base layer once (images sum ${imageSum})`);
});

test('berth system df and df -v print what the docker CLI prints', async () => {
  for (const args of [['system', 'df'], ['system', 'df', '-v']]) {
    // The ages ("2 seconds ago") may tick between the two runs: a few tries.
    let ours, theirs;
    for (let i = 0; i < 3; i++) {
      [ours, theirs] = [await berth(...args), await docker(...args)];
      if (ours.stdout === theirs.stdout) break;
    }
    assert.equal(theirs!.code, 0, theirs!.stderr);
    assert.equal(ours!.code, 0, ours!.stderr);
    assert.equal(ours!.stdout, theirs!.stdout);
  }
});
