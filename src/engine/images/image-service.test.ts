import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { testImageConfig } from './test-options.js';
import type { ImageServiceConfig } from './image-service.js';
import { openDatabase, type Db } from '../../store/database.js';
import { OverlaySnapshotter } from '../snapshots/overlay-snapshotter.js';
import { BASIC, IMAGES, MIRROR, PLAIN, TEST_PASSWORD, TEST_USER, TOKEN, fixtureDigests } from '../../../test/fixtures/registries.js';
import { ImageService } from './image-service.js';
import type { JsonMessage } from './progress.js';

// Integration tests against the fixture registries (test/fixtures/setup.sh runs first in CI).

const digests = fixtureDigests();
const roots: string[] = [];
const services: { svc: ImageService; db: Db }[] = [];

function service(overrides: Partial<ImageServiceConfig> = {}): { svc: ImageService; paths: BerthPaths; events: unknown[] } {
  const root = mkdtempSync(join(tmpdir(), 'berth-images-'));
  roots.push(root);
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const events: unknown[] = [];
  const svc = new ImageService({ db, paths, config: testImageConfig(overrides), logger: silentLogger, events: { emit: (e) => events.push(e) } });
  services.push({ svc, db });
  return { svc, paths, events };
}

before(async () => {
  // Fail loudly when the fixtures are not there: CI sets them up first.
  const res = await fetch(`http://${PLAIN}/v2/`);
  assert.equal(res.status, 200, `fixture registry ${PLAIN} is not answering`);
});

after(async () => {
  for (const { svc, db } of services) {
    await svc.close();
    db.close();
  }
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test('pulls busybox with Docker progress messages, then finds it up to date', async () => {
  const { svc, paths, events } = service();
  const msgs: JsonMessage[] = [];
  const img = await svc.pull(`${PLAIN}/${IMAGES.busybox}`, {}, (m) => msgs.push(m));
  assert.equal(img.id, digests.configs[IMAGES.busybox]);
  const statuses = msgs.map((m) => m.status);
  assert.deepEqual(msgs[0], { status: 'Pulling from library/busybox', id: 'latest' });
  for (const s of ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) {
    assert.ok(statuses.includes(s), s);
  }
  assert.equal(msgs.at(-2)!.status, `Digest: ${digests.manifests[IMAGES.busybox]}`);
  assert.equal(msgs.at(-1)!.status, `Status: Downloaded newer image for ${PLAIN}/${IMAGES.busybox}`);
  const dl = msgs.find((m) => m.status === 'Downloading')!;
  assert.match(dl.progress!, /^\[=*>\s*\] +[\d.]+[kM]?B\/[\d.]+[kM]?B$/);
  assert.deepEqual(img.repoDigests, [`${PLAIN}/library/busybox@${digests.manifests[IMAGES.busybox]}`]);
  assert.ok(existsSync(join(paths.layerDiff(img.layers[0]!.chainId), 'bin', 'busybox')));
  assert.ok(existsSync(paths.blob(img.layers[0]!.digest)));
  assert.deepEqual(readdirSync(paths.ingestDir), []);
  assert.deepEqual(events, [
    { Type: 'image', Action: 'pull', Actor: { ID: `${PLAIN}/${IMAGES.busybox}`, Attributes: { name: `${PLAIN}/${IMAGES.busybox}` } } },
  ]);

  const again: JsonMessage[] = [];
  await svc.pull(`${PLAIN}/library/busybox`, {}, (m) => again.push(m));
  assert.deepEqual(
    again.map((m) => m.status),
    ['Pulling from library/busybox', `Digest: ${digests.manifests[IMAGES.busybox]}`, `Status: Image is up to date for ${PLAIN}/${IMAGES.busybox}`],
  );
  // Same image as schema 2: same id, layers already there.
  const s2: JsonMessage[] = [];
  const img2 = await svc.pull(`${PLAIN}/${IMAGES.busyboxSchema2}`, {}, (m) => s2.push(m));
  assert.equal(img2.id, img.id);
  assert.deepEqual(svc.getImage(img.id.slice(7, 19)).repoTags.sort(), [`${PLAIN}/${IMAGES.busybox}`, `${PLAIN}/${IMAGES.busyboxSchema2}`]);
});

test('nginx: two layers, the whiteout hides /etc/motd in the mounted rootfs', async (t) => {
  const { svc, paths } = service();
  const img = await svc.pull(`${PLAIN}/${IMAGES.nginx}`, {}, () => {});
  assert.equal(img.id, digests.configs[IMAGES.nginx]);
  assert.equal(img.layers.length, 2);
  const motd = join(paths.layerDiff(img.layers[1]!.chainId), 'etc', 'motd');
  assert.ok(lstatSync(motd).isCharacterDevice());
  assert.equal(lstatSync(motd).rdev, 0);
  const snap = new OverlaySnapshotter({ paths, images: svc, logger: silentLogger });
  const cid = 'e'.repeat(64);
  await snap.createContainerLayer(cid, img.id);
  const merged = await snap.mountContainerLayer(cid, img.id);
  t.after(() => snap.removeContainerLayer(cid));
  assert.ok(!existsSync(join(merged, 'etc', 'motd')));
  assert.ok(existsSync(join(merged, 'usr', 'sbin', 'nginx')));
  assert.ok(existsSync(join(merged, 'bin', 'bash')) || existsSync(join(merged, 'usr', 'bin', 'bash')));
  await snap.removeContainerLayer(cid);
  const inspect = svc.inspect(`${PLAIN}/library/nginx`);
  assert.equal(inspect.Id, img.id);
  assert.deepEqual((inspect.RootFS as { Layers: string[] }).Layers, img.layers.map((l) => l.diffId));
});

test('picks the platform from an index', async () => {
  const { svc, paths } = service();
  const amd = await svc.pull(`${PLAIN}/${IMAGES.multi}`, {}, () => {});
  const arm = await svc.pull(`${PLAIN}/${IMAGES.multi}`, { platform: 'linux/arm64' }, () => {});
  const platformFile = (id: string) => {
    const img = svc.getImage(id);
    for (const l of [...img.layers].reverse()) {
      const f = join(paths.layerDiff(l.chainId), 'platform');
      if (existsSync(f)) return readFileSync(f, 'utf8').trim();
    }
    return '';
  };
  assert.equal(platformFile(amd.id), 'amd64');
  assert.equal(platformFile(arm.id), 'arm64');
  assert.deepEqual(arm.repoDigests, [`${PLAIN}/library/multi@${digests.manifests[IMAGES.multi]}`]);
  await assert.rejects(svc.pull(`${PLAIN}/${IMAGES.multi}`, { platform: 'linux/s390x' }, () => {}), {
    message: 'no matching manifest for linux/s390x in the manifest list entries',
  });
});

test('Basic and token auth, and a pull-through mirror', async () => {
  const { svc } = service();
  await assert.rejects(svc.pull(`${BASIC}/${IMAGES.busybox}`, {}, () => {}), {
    name: 'SystemError',
    message: `Get "http://${BASIC}/v2/library/busybox/manifests/latest": no basic auth credentials`,
  });
  const viaBasic = await svc.pull(`${BASIC}/${IMAGES.busybox}`, { auth: { username: TEST_USER, password: TEST_PASSWORD } }, () => {});
  assert.equal(viaBasic.id, digests.configs[IMAGES.busybox]);
  const viaToken = await svc.pull(`${TOKEN}/${IMAGES.busybox}`, {}, () => {});
  assert.equal(viaToken.id, digests.configs[IMAGES.busybox]);
  await assert.rejects(svc.pull(`${TOKEN}/${IMAGES.busybox}`, { auth: { username: TEST_USER, password: 'wrong' } }, () => {}), {
    name: 'SystemError',
    message: /^Get "http:\/\/127\.0\.0\.1:5002\/v2\/library\/busybox\/manifests\/latest": unauthorized: /,
  });
  assert.deepEqual(await svc.login({ username: TEST_USER, password: TEST_PASSWORD, serveraddress: BASIC }), {
    Status: 'Login Succeeded',
    IdentityToken: '',
  });
  await assert.rejects(svc.login({ username: TEST_USER, password: 'nope', serveraddress: BASIC }), {
    name: 'UnauthorizedError',
    message: `login attempt to http://${BASIC}/v2/ failed with status: 401 Unauthorized`,
  });
  // Docker Hub is out of reach here: the pull-through mirror must serve a Hub reference.
  const { svc: mirrored } = service({ 'registry-mirrors': [`http://${MIRROR}/`] });
  const viaMirror = await mirrored.pull('busybox', {}, () => {});
  assert.equal(viaMirror.id, digests.configs[IMAGES.busybox]);
  // Mirrors stand in for Docker Hub only, as in dockerd: nothing listens on 5999.
  await assert.rejects(mirrored.pull(`127.0.0.1:5999/${IMAGES.busybox}`, {}, () => {}), /127\.0\.0\.1:5999.*connection refused/);
});

test('errors are worded as Docker words them', async () => {
  const { svc } = service();
  await assert.rejects(svc.pull(`${PLAIN}/library/busybox:nope`, {}, () => {}), {
    name: 'NotFoundError',
    message: `manifest for ${PLAIN}/library/busybox:nope not found: manifest unknown: manifest unknown`,
  });
  await assert.rejects(svc.pull('127.0.0.1:5999/x', {}, () => {}), {
    message: 'Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused',
  });
  await assert.rejects(svc.pull('Busybox', {}, () => {}), { message: 'invalid reference format: repository name (library/Busybox) must be lowercase' });
  assert.throws(() => svc.getImage('nothere'), { name: 'NotFoundError', message: 'No such image: nothere:latest' });
});

test('121 layers pull and mount; concurrent pulls unpack each layer once', async (t) => {
  const { svc, paths } = service();
  const [a, b] = await Promise.all([svc.pull(`${PLAIN}/${IMAGES.layers}`, {}, () => {}), svc.pull(`${PLAIN}/${IMAGES.layers}`, {}, () => {})]);
  assert.equal(a.id, b.id);
  assert.equal(a.layers.length, 121);
  const dirs = readdirSync(paths.overlayRoot).filter((d) => /^[a-f0-9]{64}$/.test(d));
  assert.equal(dirs.length, 121);
  assert.equal(readdirSync(paths.shortLinks).length, 121);
  const snap = new OverlaySnapshotter({ paths, images: svc, logger: silentLogger });
  const cid = 'f'.repeat(64);
  await snap.createContainerLayer(cid, a.id);
  const merged = await snap.mountContainerLayer(cid, a.id);
  t.after(() => snap.removeContainerLayer(cid));
  assert.equal(readFileSync(join(merged, 'layer120'), 'utf8').trim(), '120');
  await snap.removeContainerLayer(cid);
});

test('a partial download left in ingest is resumed', async () => {
  const { svc, paths } = service();
  // Learn the layer digest, then start over with half of it left in ingest.
  const first = await svc.pull(`${PLAIN}/${IMAGES.busybox}`, {}, () => {});
  const layer = first.layers[0]!;
  const blob = readFileSync(paths.blob(layer.digest));
  svc.remove(first.id, { force: true }, () => false);
  assert.ok(!existsSync(paths.blob(layer.digest)));
  mkdirSync(paths.ingestDir, { recursive: true });
  writeFileSync(join(paths.ingestDir, layer.digest.replace(':', '-')), blob.subarray(0, Math.floor(blob.length / 2)));
  const again = await svc.pull(`${PLAIN}/${IMAGES.busybox}`, {}, () => {});
  assert.equal(again.id, first.id);
  assert.deepEqual(readFileSync(paths.blob(layer.digest)), blob);
  assert.deepEqual(readdirSync(paths.ingestDir), []);
});

test('tag, remove with conflicts, prune', async () => {
  const { svc, paths } = service();
  const img = await svc.pull(`${PLAIN}/${IMAGES.busybox}`, {}, () => {});
  svc.tag(img.id, 'mybox', '1');
  svc.tag(`${PLAIN}/${IMAGES.busybox}`, 'other/box');
  assert.deepEqual(svc.getImage('mybox:1').id, img.id);
  assert.deepEqual(svc.getImage('other/box').id, img.id);
  const short = img.id.slice(7, 19);
  assert.throws(() => svc.remove(short, {}, () => false), {
    name: 'ConflictError',
    message: `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`,
  });
  assert.deepEqual(svc.remove('other/box', {}, () => false), [{ Untagged: 'other/box:latest' }]);
  assert.deepEqual(svc.remove('mybox:1', {}, () => false), [{ Untagged: 'mybox:1' }]);
  const user = { id: '1234abcd'.repeat(8), running: false };
  assert.throws(() => svc.remove(`${PLAIN}/library/busybox`, {}, () => user), {
    name: 'ConflictError',
    message: `conflict: unable to remove repository reference "${PLAIN}/library/busybox" (must force) - container 1234abcd1234 is using its referenced image ${short}`,
  });
  const list = svc.list({ filters: { reference: [`${PLAIN}/library/*`] } });
  assert.equal(list.length, 1);
  const records = svc.remove(`${PLAIN}/library/busybox`, {}, () => false);
  assert.deepEqual(records, [
    { Untagged: `${PLAIN}/${IMAGES.busybox}` },
    { Untagged: `${PLAIN}/library/busybox@${digests.manifests[IMAGES.busybox]}` },
    { Deleted: img.id },
    { Deleted: img.layers[0]!.chainId },
  ]);
  assert.ok(!existsSync(paths.layerDir(img.layers[0]!.chainId)));
  assert.deepEqual(readdirSync(paths.shortLinks), []);
  assert.deepEqual(svc.list(), []);
  // Prune: a dangling image goes, a tagged one stays unless dangling=false.
  await svc.pull(`${PLAIN}/${IMAGES.busybox}`, {}, () => {});
  assert.deepEqual(svc.prune({}, () => false), { ImagesDeleted: null, SpaceReclaimed: 0 });
  const pruned = svc.prune({ filters: { dangling: ['false'] } }, () => false);
  assert.ok(pruned.ImagesDeleted!.some((r) => r.Deleted === img.id));
  assert.ok(pruned.SpaceReclaimed > 0);
});
