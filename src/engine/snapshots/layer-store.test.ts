import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { ImageRepository } from '../../store/image-repository.js';
import { openDatabase } from '../../store/database.js';
import { LayerStore } from './layer-store.js';

// What killed unpacks leave under overlay/, and what the layer store removes of it.

function layerStore(t: { after: (fn: () => void) => void }): { store: LayerStore; paths: BerthPaths; repo: ImageRepository } {
  const root = mkdtempSync(join(tmpdir(), 'berth-layers-'));
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  mkdirSync(paths.dataRoot, { recursive: true });
  const db = openDatabase(paths.database);
  t.after(() => {
    db.close();
    rmSync(root, { recursive: true, force: true });
  });
  const repo = new ImageRepository(db);
  return { store: new LayerStore(paths, repo, silentLogger), paths, repo };
}

const hex = (c: string): string => c.repeat(64);

test('half-unpacked layers of a killed pull are removed; unpacks under way and complete layers stay', async (t) => {
  const { store, paths, repo } = layerStore(t);
  const root = paths.overlayRoot;
  // A kill in the middle of an unpack.
  mkdirSync(join(root, '.tmp-aaaaaaaaaaaa-0badf00d', 'diff', 'usr'), { recursive: true });
  writeFileSync(join(root, '.tmp-aaaaaaaaaaaa-0badf00d', 'diff', 'usr', 'big'), Buffer.alloc(4096));
  // A kill between the rename into place and the row: a directory and a link with no row.
  mkdirSync(join(root, hex('b'), 'diff'), { recursive: true });
  mkdirSync(paths.shortLinks, { recursive: true });
  symlinkSync(`../${hex('b')}/diff`, join(paths.shortLinks, 'ORPHAN'));
  // A complete layer.
  mkdirSync(join(root, hex('c'), 'diff'), { recursive: true });
  symlinkSync(`../${hex('c')}/diff`, join(paths.shortLinks, 'GOOD'));
  repo.putLayer({ chainId: `sha256:${hex('c')}`, diffId: `sha256:${hex('d')}`, parent: null, size: 0, short: 'GOOD' });

  let seenDuringUnpack: string[] = [];
  await store.ensure({ chainId: `sha256:${hex('e')}`, diffId: `sha256:${hex('f')}`, parent: null }, async (diffDir) => {
    mkdirSync(diffDir);
    // A pull's clean-up while this unpack runs must leave its temp directory alone.
    seenDuringUnpack = store.removeLeftovers({ startup: false }).map((r) => r.path);
    assert.ok(existsSync(diffDir));
    return { size: 0 };
  });
  assert.deepEqual(seenDuringUnpack, [join(root, '.tmp-aaaaaaaaaaaa-0badf00d')]);

  const removed = store.removeLeftovers({ startup: true });
  assert.deepEqual(removed.map((r) => r.path).sort(), [join(root, hex('b')), join(paths.shortLinks, 'ORPHAN')].sort());
  assert.deepEqual(readdirSync(root).filter((n) => !n.startsWith('l')).sort(), [hex('c'), hex('e')].sort());
  assert.ok(lstatSync(join(paths.shortLinks, 'GOOD')).isSymbolicLink());
  assert.equal(readdirSync(paths.shortLinks).length, 2);
  assert.ok(store.get(`sha256:${hex('c')}`));
  assert.ok(store.get(`sha256:${hex('e')}`));
  assert.deepEqual(store.removeLeftovers({ startup: true }), []);
});

test('a layer is sized as on disk (symlinks, hard links once); older rows are measured again once', async (t) => {
  const { store, paths, repo } = layerStore(t);
  const chain = `sha256:${hex('d')}`;
  const { row } = await store.ensure({ chainId: chain, diffId: chain, parent: null }, async (dir) => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'f'), Buffer.alloc(1000));
    linkSync(join(dir, 'f'), join(dir, 'g'));
    symlinkSync('twelve-chars', join(dir, 'l'));
    return { size: 2000 };
  });
  assert.equal(row.size, 1012);

  // A row an older berth wrote with the tar's count, and an image holding it.
  repo.putLayer({ ...row, size: 2000 });
  repo.save({ id: `sha256:${hex('e')}`, config: '{}', manifestDigest: null, layers: [{ digest: chain, diffId: chain, chainId: chain, size: 2000, mediaType: 'x' }], size: 2000, created: 0 }, [], []);
  assert.equal(await store.remeasure(), 1);
  assert.equal(repo.getLayer(chain)!.size, 1012);
  const img = repo.get(`sha256:${hex('e')}`)!;
  assert.equal(img.size, 1012);
  assert.equal(img.layers[0]!.size, 1012);
  assert.ok(existsSync(join(paths.overlayRoot, '.sizes-measured')));
  // Once only.
  repo.putLayer({ ...row, size: 5 });
  assert.equal(await store.remeasure(), 0);
  assert.equal(repo.getLayer(chain)!.size, 5);
});
