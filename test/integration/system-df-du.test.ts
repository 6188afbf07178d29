import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonLines } from '../helpers/raw-client.js';
import { IMAGES, PLAIN } from '../fixtures/registries.js';
import { PrivateDaemon } from '../helpers/private-daemon.js';

// `system df` (GET /system/df, what `docker system df -v` prints) exact against `du` of the
// data-root's directories.
//
// "Exact" is what dockerd's sizes are: moby's pkg/directory.Size, which overlay2 uses for a
// layer's size (ApplyDiff, DiffSize), a container's SizeRw (its upper dir) and a local volume's
// size (_data): the apparent size (st_size) of every entry that is not a directory — regular
// files (sparse ones at their apparent size), symlinks (their target's length), whiteouts (0) —
// each inode once, however many hard links it has. Directories' own sizes are left out. In du's
// terms: `du -sb DIR` (apparent bytes, hard links once) minus the st_size of every directory
// under DIR (`find DIR -type d`). The test computes that with du and find, not with berth's code.
// A berthd of the test's own, so every layer is unpacked by the code under test.
// Build cache: berth's builder is the classic one, whose cache is its intermediate images (listed
// with the images, as dockerd's classic builder does): the build cache is always empty.

const BUSYBOX = `${PLAIN}/${IMAGES.busybox}`;
const NGINX = `${PLAIN}/${IMAGES.nginx}`;
const VOLUME = 'lc-du-vol';
const daemon = new PrivateDaemon({ name: 'lcdu', bip: '10.252.8.1/24', tmpfs: '1g' });
const api = () => daemon.client;
const TEST_DATA_ROOT = daemon.dataRoot;
const containers: string[] = [];
const images: string[] = [];

/** dockerd's size of a directory, from du and find (see above). 0 when it is absent, as in df. */
function duSize(...dirs: string[]): number {
  if (dirs.length === 0) return 0;
  const du = execFileSync('du', ['-sbc', ...dirs], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const total = Number(du.split('\t')[0]);
  const dirSizes = execFileSync('find', [...dirs, '-type', 'd', '-printf', '%s\n'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .reduce((a, s) => a + Number(s), 0);
  return total - dirSizes;
}

function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : `sha256:${createHash('sha256').update(`${out.at(-1)} ${d}`).digest('hex')}`);
  return out;
}

const layerDiff = (chainId: string) => join(TEST_DATA_ROOT, 'overlay', chainId.slice(7), 'diff');

async function pull(ref: string): Promise<void> {
  const [name, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
  const res = await api().stream('POST', '/images/create', { query: { fromImage: name, tag } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
}

/** Runs a container to its end (it stays, with its writable layer). */
async function runToEnd(image: string, script: string, binds: string[] = []): Promise<string> {
  const { Id } = await api().call('POST', '/containers/create', {
    body: { Image: image, Cmd: ['sh', '-c', script], HostConfig: { Binds: binds, NetworkMode: 'none' } },
  });
  containers.push(Id);
  await api().call('POST', `/containers/${Id}/start`);
  const { StatusCode } = await api().call('POST', `/containers/${Id}/wait`);
  assert.equal(StatusCode, 0, `${script} failed`);
  return Id;
}

before(async () => {
  await daemon.remove();
  await daemon.start();
  await pull(BUSYBOX);
  await pull(NGINX);
});

after(async () => {
  for (const id of containers) await api().call('DELETE', `/containers/${id}`, { query: { force: '1', v: '1' } }).catch(() => undefined);
  for (const id of images) await api().call('DELETE', `/images/${id}`, { query: { force: '1' } }).catch(() => undefined);
  await api().call('DELETE', `/volumes/${VOLUME}`).catch(() => undefined);
  await daemon.remove();
});

// What the writes hold: a file with a hard link (counted once), a symlink, a sparse file (its
// apparent size), an empty file, nested directories, a file deleted from the image (a whiteout)
// and one of the image's files changed (copied up whole).
const WRITES = (root: string) =>
  [
    `mkdir -p ${root}/a/b/c`,
    `head -c 123457 /dev/urandom > ${root}/a/b/c/data`,
    `ln ${root}/a/b/c/data ${root}/a/hardlink`,
    `ln -s a/b/c/data-with-a-long-target-name ${root}/symlink`,
    `truncate -s 3000001 ${root}/a/sparse`,
    `touch ${root}/a/empty`,
  ].join(' && ');

test('system df: images, layers, containers and volumes are exactly what du says of their directories', async () => {
  await api().call('POST', '/volumes/create', { body: { Name: VOLUME } });
  const writer = await runToEnd(NGINX, `${WRITES('/srv')} && rm /etc/issue && echo changed >> /etc/debian_version && ${WRITES('/vol')}`, [`${VOLUME}:/vol`]);
  const committed = await api().call('POST', '/commit', { query: { container: writer, repo: 'lc-du', tag: 'one' } });
  images.push(committed.Id);
  // A second container of the committed image, writing little: its SizeRw is its own.
  const second = await runToEnd(committed.Id, 'echo hello > /srv/second');

  const df = await api().call('GET', '/system/df');

  // Containers: SizeRw is the upper dir.
  for (const id of [writer, second]) {
    const c = df.Containers.find((x: { Id: string }) => x.Id === id);
    assert.equal(c.SizeRw, duSize(join(TEST_DATA_ROOT, 'containers', id, 'upper')), `SizeRw of ${id.slice(0, 12)}`);
  }
  const writerRw = df.Containers.find((x: { Id: string }) => x.Id === writer).SizeRw;
  assert.ok(writerRw > 123457 + 3000001, `SizeRw ${writerRw} holds the data once and the sparse file's apparent size`);
  assert.ok(writerRw < 2 * 123457 + 3000001 + 100000, `SizeRw ${writerRw} counts the hard-linked file twice`);

  // Volumes: the _data dir.
  const v = df.Volumes.find((x: { Name: string }) => x.Name === VOLUME);
  assert.equal(v.UsageData.Size, duSize(join(TEST_DATA_ROOT, 'volumes', VOLUME, '_data')));
  assert.equal(v.UsageData.RefCount, 1);

  // Images: each one's Size is its layers' diff dirs, SharedSize those other images use too.
  const layersOf = new Map<string, string[]>();
  for (const img of df.Images as { Id: string }[]) {
    const inspect = await api().call('GET', `/images/${img.Id}/json`);
    layersOf.set(img.Id, chainIds(inspect.RootFS.Layers));
  }
  const uses = new Map<string, number>();
  for (const chains of layersOf.values()) for (const c of new Set(chains)) uses.set(c, (uses.get(c) ?? 0) + 1);
  for (const img of df.Images as { Id: string; Size: number; SharedSize: number; RepoTags: string[] }[]) {
    const chains = [...new Set(layersOf.get(img.Id)!)];
    const what = img.RepoTags?.[0] ?? img.Id;
    assert.equal(img.Size, duSize(...chains.map(layerDiff)), `Size of ${what}`);
    assert.equal(img.SharedSize, duSize(...chains.filter((c) => uses.get(c)! > 1).map(layerDiff)), `SharedSize of ${what}`);
  }
  const mine = df.Images.find((i: { Id: string }) => i.Id === committed.Id);
  const nginx = df.Images.find((i: { RepoTags: string[] }) => i.RepoTags?.includes(NGINX));
  assert.ok(mine.SharedSize >= nginx.Size, 'the committed image shares all of nginx');
  assert.equal(mine.Containers, 1);

  // LayersSize: every unpacked layer on disk, each once.
  const layerDirs = readdirSync(join(TEST_DATA_ROOT, 'overlay')).filter((n) => /^[a-f0-9]{64}$/.test(n));
  assert.equal(df.LayersSize, duSize(...layerDirs.map((n) => join(TEST_DATA_ROOT, 'overlay', n, 'diff'))));

  assert.deepEqual(df.BuildCache, []);
});
