import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { openDatabase } from '../../store/database.js';
import type { ImageLayerRef } from '../../store/image-repository.js';
import { ImageStore } from '../images/image-store.js';
import { chainIds } from './chain-id.js';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { OverlaySnapshotter } from './overlay-snapshotter.js';
import { unpackLayer } from './layer-unpacker.js';
import { snapshotterSuite, type LayerEntry } from './snapshotter-testsuite.js';

function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

async function setup(layerCount: number) {
  const root = mkdtempSync(join(tmpdir(), 'berth-snap-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const images = new ImageStore({ db, paths, logger: silentLogger });
  const { repo, layers: store } = images;
  const diffIds = Array.from({ length: layerCount }, (_v, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
  const chains = chainIds(diffIds);
  const layers: ImageLayerRef[] = [];
  for (let i = 0; i < layerCount; i++) {
    await store.ensure({ chainId: chains[i]!, diffId: diffIds[i]!, parent: i ? chains[i - 1]! : null }, async (dir) => {
      mkdirSync(dir);
      writeFileSync(join(dir, `layer${i}`), String(i));
      writeFileSync(join(dir, 'top'), String(i));
      return { size: 1 };
    });
    layers.push({ digest: diffIds[i]!, diffId: diffIds[i]!, chainId: chains[i]!, size: 1, mediaType: 'application/vnd.oci.image.layer.v1.tar' });
  }
  const imageId = `sha256:${'f'.repeat(63)}${layerCount % 10}`;
  repo.save({ id: imageId, config: '{}', manifestDigest: null, layers, size: layerCount, created: 0 }, [], []);
  const snap = new OverlaySnapshotter({ paths, images, logger: silentLogger });
  return { root, paths, db, snap, imageId, store, chains };
}

test('mounts an image of 130 layers through short links, idempotently, and cleans up', async (t) => {
  const s = await setup(130);
  t.after(() => {
    s.db.close();
    rmSync(s.root, { recursive: true, force: true });
  });
  const cid = 'c'.repeat(64);
  await s.snap.createContainerLayer(cid, s.imageId);
  const merged = await s.snap.mountContainerLayer(cid, s.imageId);
  t.after(() => s.snap.unmountContainerLayer(cid));
  assert.equal(await s.snap.mountContainerLayer(cid, s.imageId), merged);
  assert.ok(isMounted(merged));
  assert.equal(readFileSync(join(merged, 'layer0'), 'utf8'), '0');
  assert.equal(readFileSync(join(merged, 'layer129'), 'utf8'), '129');
  // The top layer wins.
  assert.equal(readFileSync(join(merged, 'top'), 'utf8'), '129');
  writeFileSync(join(merged, 'new'), 'x');
  assert.ok(existsSync(join(s.paths.containerDir(cid), 'upper', 'new')));
  assert.ok(!existsSync(join(s.paths.layerDiff(s.chains[129]!), 'new')));
  assert.equal(s.snap.layerPaths(s.imageId).length, 130);
  await s.snap.unmountContainerLayer(cid);
  await s.snap.unmountContainerLayer(cid);
  assert.ok(!isMounted(merged));
  await s.snap.removeContainerLayer(cid);
  assert.deepEqual(readdirSync(s.paths.containerDir(cid)), []);
});

test('an image with no layers still mounts (empty lower directory)', async (t) => {
  const s = await setup(0);
  t.after(() => {
    s.db.close();
    rmSync(s.root, { recursive: true, force: true });
  });
  const cid = 'd'.repeat(64);
  await s.snap.createContainerLayer(cid, s.imageId);
  const merged = await s.snap.mountContainerLayer(cid, s.imageId);
  t.after(() => s.snap.removeContainerLayer(cid));
  assert.deepEqual(readdirSync(merged), []);
  writeFileSync(join(merged, 'f'), 'y');
  await s.snap.removeContainerLayer(cid);
  assert.ok(!isMounted(merged));
});

test('concurrent ensure of one layer unpacks it once', async (t) => {
  const s = await setup(0);
  t.after(() => {
    s.db.close();
    rmSync(s.root, { recursive: true, force: true });
  });
  let runs = 0;
  const spec = { chainId: `sha256:${'a'.repeat(64)}`, diffId: `sha256:${'a'.repeat(64)}`, parent: null };
  const produce = async (dir: string) => {
    runs++;
    mkdirSync(dir);
    await new Promise((r) => setImmediate(r));
    return { size: 0 };
  };
  const results = await Promise.all([s.store.ensure(spec, produce), s.store.ensure(spec, produce), s.store.ensure(spec, produce)]);
  assert.equal(runs, 1);
  assert.deepEqual(results.map((r) => r.created).sort(), [false, false, true]);
  assert.equal(readdirSync(s.paths.shortLinks).length, 1);
});

/** A layer tar of the suite's entries, whiteouts and opaque markers written as Docker writes them. */
async function layerTar(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const done = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  })();
  for (const e of entries) {
    if ('file' in e) pack.entry({ name: e.file, mode: 0o644 }, e.content);
    else if ('dir' in e) pack.entry({ name: e.dir, type: 'directory', mode: 0o755 });
    else if ('whiteout' in e) pack.entry({ name: posix.join(posix.dirname(e.whiteout), `.wh.${posix.basename(e.whiteout)}`), mode: 0o644 }, '');
    else {
      pack.entry({ name: e.opaque, type: 'directory', mode: 0o755 });
      pack.entry({ name: `${e.opaque}/.wh..wh..opq`, mode: 0o644 }, '');
    }
  }
  pack.finalize();
  return done;
}

snapshotterSuite('overlay', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-snapsuite-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const images = new ImageStore({ db, paths, logger: silentLogger });
  const snapshotter = new OverlaySnapshotter({ paths, images, logger: silentLogger });
  let n = 0;
  const addImage = async (layers: LayerEntry[][]): Promise<string> => {
    const tars = await Promise.all(layers.map(layerTar));
    const diffIds = tars.map((t) => `sha256:${createHash('sha256').update(t).digest('hex')}`);
    const chains = chainIds(diffIds);
    const refs: ImageLayerRef[] = [];
    for (let i = 0; i < tars.length; i++) {
      const spec = { chainId: chains[i]!, diffId: diffIds[i]!, parent: i ? chains[i - 1]! : null };
      await images.layers.ensure(spec, (dir) => unpackLayer(Readable.from([tars[i]!]), { target: dir, diffId: diffIds[i]! }));
      refs.push({ digest: diffIds[i]!, diffId: diffIds[i]!, chainId: chains[i]!, size: tars[i]!.length, mediaType: 'application/vnd.oci.image.layer.v1.tar' });
    }
    const id = `sha256:${(++n).toString(16).padStart(64, 'e')}`;
    images.repo.save({ id, config: '{}', manifestDigest: null, layers: refs, size: 0, created: 0 }, [], []);
    return id;
  };
  const close = async () => {
    db.close();
    rmSync(root, { recursive: true, force: true });
  };
  return { root, snapshotter, addImage, close };
});
