import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { testImageConfig } from './test-options.js';
import { openDatabase, type Db } from '../../store/database.js';
import { fakeImage, startFakeRegistry, type FakeRegistry } from '../../../test/fixtures/fake-registry.js';
import { ImageService } from './image-service.js';

// Resuming a blob a killed pull left in content/ingest/, against a fake registry that logs requests.

const PORT = 21110;
let registry: FakeRegistry;
const roots: string[] = [];
const open: { svc: ImageService; db: Db }[] = [];

function service(): { svc: ImageService; paths: BerthPaths } {
  const root = mkdtempSync(join(tmpdir(), 'berth-puller-'));
  roots.push(root);
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const svc = new ImageService({ db, paths, config: testImageConfig(), logger: silentLogger, events: { emit: () => undefined } });
  open.push({ svc, db });
  return { svc, paths };
}

/** What a pull killed while downloading the layer leaves: `bytes` in the layer's ingest file. */
function leaveIngest(paths: BerthPaths, bytes: Buffer): string {
  mkdirSync(paths.ingestDir, { recursive: true });
  const file = join(paths.ingestDir, registry.image.layerDigest.replace(':', '-'));
  writeFileSync(file, bytes);
  return file;
}

const ref = `127.0.0.1:${PORT}/library/fake:latest`;
const layerRequests = () => registry.requests.filter((r) => r.url.endsWith(registry.image.layerDigest));
/** The Range headers of the layer requests, in a stable order (an abandoned request may land late). */
const ranges = () => layerRequests().map((r) => r.range ?? 'none').sort();

async function pullAndCheck(svc: ImageService, paths: BerthPaths): Promise<void> {
  const img = await svc.pull(ref, {}, () => undefined);
  assert.equal(img.id, registry.image.configDigest);
  assert.equal(readFileSync(join(paths.layerDiff(img.layers[0]!.chainId), 'hello'), 'utf8'), 'hello from the fake registry\n');
  assert.deepEqual(readFileSync(paths.blob(registry.image.layerDigest)), registry.image.layer);
  assert.deepEqual(readdirSync(paths.ingestDir), []);
}

before(async () => {
  registry = await startFakeRegistry(PORT, await fakeImage());
});

after(async () => {
  await registry.close();
  for (const { svc, db } of open) {
    await svc.close();
    db.close();
  }
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test('a whole blob left in ingest is verified and committed without asking the registry for it', async () => {
  const { svc, paths } = service();
  leaveIngest(paths, registry.image.layer);
  registry.requests.length = 0;
  await pullAndCheck(svc, paths);
  assert.deepEqual(layerRequests(), []);
});

test('a whole-size ingest with wrong bytes is dropped and the blob pulled again from zero', async () => {
  const { svc, paths } = service();
  const wrong = Buffer.from(registry.image.layer);
  wrong[wrong.length - 100] ^= 0xff;
  leaveIngest(paths, wrong);
  registry.requests.length = 0;
  await pullAndCheck(svc, paths);
  assert.deepEqual(ranges(), ['none']);
});

test('a partial ingest resumes with Range; a 416 or corrupt prefix restarts from zero', async () => {
  const half = registry.image.layer.subarray(0, Math.floor(registry.image.layer.length / 2));
  {
    const { svc, paths } = service();
    leaveIngest(paths, half);
    registry.requests.length = 0;
    await pullAndCheck(svc, paths);
    assert.deepEqual(ranges(), [`bytes=${half.length}-`]);
  }
  {
    // The registry refuses the range: the partial file is not kept for the next pull to fail on.
    const { svc, paths } = service();
    leaveIngest(paths, half);
    registry.requests.length = 0;
    registry.refuseRanges = true;
    try {
      await pullAndCheck(svc, paths);
    } finally {
      registry.refuseRanges = false;
    }
    assert.deepEqual(ranges(), [`bytes=${half.length}-`, 'none']);
  }
  {
    const { svc, paths } = service();
    const bad = Buffer.from(half);
    bad[10] ^= 0xff;
    leaveIngest(paths, bad);
    registry.requests.length = 0;
    await pullAndCheck(svc, paths);
    assert.deepEqual(ranges(), [`bytes=${half.length}-`, 'none']);
  }
});

test('an ingest longer than the blob is dropped and the blob pulled again', async () => {
  const { svc, paths } = service();
  leaveIngest(paths, Buffer.concat([registry.image.layer, Buffer.from('trailing junk')]));
  registry.requests.length = 0;
  await pullAndCheck(svc, paths);
  assert.deepEqual(ranges(), ['none']);

});
