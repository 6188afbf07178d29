import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { BerthPaths } from '../../common/paths.js';
import { testImageConfig } from './test-options.js';
import { openDatabase, type Db } from '../../store/database.js';
import { fakeImage, startFakeRegistry, type FakeRegistry } from '../../../test/fixtures/fake-registry.js';
import { ImageService } from './image-service.js';

// registry-mirrors as dockerd uses them: for Docker Hub references only, each mirror in turn, and
// the registry itself when none serves; one log line per fallback. "Docker Hub" here is a fake
// registry on loopback (no internet in tests).

const BROKEN = 21111; // answers 500
const DOWN = 21112; // nothing listens
const LACKING = 21113; // has another repository only
const ORIGIN = 21114; // stands in for registry-1.docker.io
const GOOD = 21115; // serves the image
let broken: FakeRegistry;
let goodMirror: FakeRegistry;
let lacking: FakeRegistry;
let origin: FakeRegistry;
const roots: string[] = [];
const open: { svc: ImageService; db: Db }[] = [];

function service(mirrors: number[]): { svc: ImageService; logs: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'berth-mirrors-'));
  roots.push(root);
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const svc = new ImageService({
    db,
    paths,
    config: testImageConfig({ 'registry-mirrors': mirrors.map((p) => `http://127.0.0.1:${p}/`) }),
    logger: pino({ level: 'info' }, sink),
    events: { emit: () => undefined },
    officialRegistry: `127.0.0.1:${ORIGIN}`,
  });
  open.push({ svc, db });
  return { svc, logs };
}

const fallbacks = (logs: string[]): string[] =>
  logs.map((l) => JSON.parse(l) as { msg: string; mirror?: string }).filter((l) => l.msg.startsWith('Attempting next endpoint for pull after error')).map((l) => l.mirror!);

function reset(): void {
  for (const r of [broken, lacking, origin, goodMirror]) r.requests.length = 0;
}

before(async () => {
  const image = await fakeImage();
  origin = await startFakeRegistry(ORIGIN, image);
  broken = await startFakeRegistry(BROKEN, image);
  broken.failWith = 500;
  lacking = await startFakeRegistry(LACKING, image, 'library/other');
  goodMirror = await startFakeRegistry(GOOD, image);
});

after(async () => {
  for (const r of [broken, lacking, origin, goodMirror]) await r.close();
  for (const { svc, db } of open) {
    await svc.close();
    db.close();
  }
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test('a mirror that answers 500, one that is down and one that lacks the image fall back to Docker Hub, each with a log line', async () => {
  const { svc, logs } = service([BROKEN, DOWN, LACKING]);
  reset();
  const img = await svc.pull('fake', {}, () => undefined);
  assert.equal(img.id, origin.image.configDigest);
  assert.deepEqual(img.repoTags, ['docker.io/library/fake:latest']);
  assert.deepEqual(fallbacks(logs), [`http://127.0.0.1:${BROKEN}`, `http://127.0.0.1:${DOWN}`, `http://127.0.0.1:${LACKING}`]);
  assert.ok(origin.requests.some((r) => r.url.endsWith(origin.image.layerDigest)));
  // Per pull: the next pull asks the mirrors first again.
  reset();
  svc.remove('fake', { force: true }, () => false);
  await svc.pull('fake', {}, () => undefined);
  assert.ok(broken.requests.some((r) => r.url.includes('/manifests/')));
});

test('a mirror that serves the image is used, and one whose blobs fail hands the blobs to the next endpoint', async () => {
  const { svc, logs } = service([LACKING, BROKEN]);
  broken.failWith = undefined;
  broken.failBlobsWith = 404;
  reset();
  try {
    await svc.pull('library/fake:latest', {}, () => undefined);
  } finally {
    broken.failWith = 500;
    broken.failBlobsWith = undefined;
  }
  assert.ok(broken.requests.some((r) => r.url.includes('/manifests/latest')));
  assert.ok(origin.requests.some((r) => r.url.endsWith(origin.image.layerDigest)));
  assert.deepEqual(fallbacks(logs), [`http://127.0.0.1:${LACKING}`, `http://127.0.0.1:${BROKEN}`]);

  // Served whole by a good mirror: Hub is not asked at all.
  const good = service([GOOD]);
  reset();
  await good.svc.pull('fake', {}, () => undefined);
  assert.deepEqual(fallbacks(good.logs), []);
  assert.deepEqual(origin.requests, []);
  assert.ok(goodMirror.requests.some((r) => r.url.endsWith(origin.image.layerDigest)));
});

test('mirrors stand in for Docker Hub only: other registries are asked directly', async () => {
  const { svc, logs } = service([BROKEN]);
  reset();
  await svc.pull(`127.0.0.1:${ORIGIN}/library/fake:latest`, {}, () => undefined);
  assert.deepEqual(broken.requests, []);
  assert.deepEqual(fallbacks(logs), []);
});
