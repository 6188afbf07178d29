import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../../common/errors.js';
import type { ContainerRootfs } from '../containers/ports.js';

// The conformance suite every container-rootfs implementation runs (as containerd's
// snapshots/testsuite): prepare, mount, the layer chain, whiteouts, isolation of writes, usage,
// unmount, remove and the error cases. An implementation's test calls `snapshotterSuite` with a
// factory; each test gets a fresh fixture and everything it mounts is unmounted and removed.

/** One entry of a test layer: a file, a directory, a whiteout of a lower path, or an opaque directory. */
export type LayerEntry =
  { file: string; content: string } | { dir: string } | { whiteout: string } | { opaque: string };

export interface Snapshotter extends ContainerRootfs {
  /** The image's unpacked layer directories, bottom first. */
  layerPaths(imageId: string): string[];
  /** Bytes the container wrote to its own layer. */
  usage(containerId: string): number;
}

export interface SnapshotterFixture {
  snapshotter: Snapshotter;
  /** Stores an image of these layers (bottom first) and returns its id. */
  addImage(layers: LayerEntry[][]): Promise<string>;
  /** Removes what the fixture made (after every container of the test is removed). */
  close(): Promise<void>;
}

function mountedUnder(root: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === root || p.startsWith(root + '/'));
}

type Case = [title: string, body: (f: SnapshotterFixture, used: string[]) => Promise<void>];

let seq = 0;
/** A fresh container id for each use. */
const cid = (): string => (++seq).toString(16).padStart(64, 'c');

const CASES: Case[] = [
  [
    'prepare, mount and layerPaths of an unknown image are NotFoundError',
    async (f, used) => {
      const id = cid();
      used.push(id);
      const unknown = `sha256:${'0'.repeat(64)}`;
      await assert.rejects(f.snapshotter.createContainerLayer(id, unknown), NotFoundError);
      await assert.rejects(f.snapshotter.mountContainerLayer(id, unknown), NotFoundError);
      assert.throws(() => f.snapshotter.layerPaths(unknown), NotFoundError);
    },
  ],

  [
    'a chain of layers mounts bottom to top, the upper layer winning',
    async (f, used) => {
      const image = await f.addImage([
        [{ dir: 'etc' }, { file: 'etc/a', content: 'a0' }, { file: 'etc/b', content: 'b0' }],
        [
          { file: 'etc/b', content: 'b1' },
          { file: 'c', content: 'c1' },
        ],
        [{ file: 'c', content: 'c2' }],
      ]);
      assert.equal(f.snapshotter.layerPaths(image).length, 3);
      const id = cid();
      used.push(id);
      await f.snapshotter.createContainerLayer(id, image);
      const root = await f.snapshotter.mountContainerLayer(id, image);
      assert.equal(readFileSync(join(root, 'etc/a'), 'utf8'), 'a0');
      assert.equal(readFileSync(join(root, 'etc/b'), 'utf8'), 'b1');
      assert.equal(readFileSync(join(root, 'c'), 'utf8'), 'c2');
    },
  ],

  [
    'images sharing a parent share its layer directory',
    async (f) => {
      const base: LayerEntry[] = [{ file: 'base', content: 'x' }];
      const one = await f.addImage([base, [{ file: 'one', content: '1' }]]);
      const two = await f.addImage([base, [{ file: 'two', content: '2' }]]);
      const [p1, p2] = [f.snapshotter.layerPaths(one), f.snapshotter.layerPaths(two)];
      assert.equal(p1[0], p2[0]);
      assert.notEqual(p1[1], p2[1]);
    },
  ],

  [
    'whiteouts hide a lower file, opaque directories hide a lower directory',
    async (f, used) => {
      const image = await f.addImage([
        [
          { file: 'gone', content: 'x' },
          { dir: 'd' },
          { file: 'd/old', content: 'x' },
          { file: 'kept', content: 'k' },
        ],
        [{ whiteout: 'gone' }, { opaque: 'd' }, { file: 'd/new', content: 'n' }],
      ]);
      const id = cid();
      used.push(id);
      await f.snapshotter.createContainerLayer(id, image);
      const root = await f.snapshotter.mountContainerLayer(id, image);
      assert.ok(!existsSync(join(root, 'gone')));
      assert.deepEqual(readdirSync(join(root, 'd')), ['new']);
      assert.equal(readFileSync(join(root, 'kept'), 'utf8'), 'k');
    },
  ],

  [
    "a container's writes stay in its own layer: the image and other containers never see them",
    async (f, used) => {
      const image = await f.addImage([[{ file: 'shared', content: 'image' }]]);
      const [a, b] = [cid(), cid()];
      used.push(a, b);
      for (const id of [a, b]) await f.snapshotter.createContainerLayer(id, image);
      const ra = await f.snapshotter.mountContainerLayer(a, image);
      const rb = await f.snapshotter.mountContainerLayer(b, image);
      assert.notEqual(ra, rb);
      writeFileSync(join(ra, 'shared'), 'changed by a');
      writeFileSync(join(ra, 'new'), 'a');
      rmSync(join(rb, 'shared'));
      assert.equal(readFileSync(join(ra, 'shared'), 'utf8'), 'changed by a');
      assert.ok(!existsSync(join(rb, 'shared')));
      assert.ok(!existsSync(join(rb, 'new')));
      const [layer] = f.snapshotter.layerPaths(image);
      assert.equal(readFileSync(join(layer!, 'shared'), 'utf8'), 'image');
      assert.ok(!existsSync(join(layer!, 'new')));
    },
  ],

  [
    'mount and unmount are idempotent, and a remount keeps what the container wrote',
    async (f, used) => {
      const image = await f.addImage([[{ file: 'f', content: 'x' }]]);
      const id = cid();
      used.push(id);
      await f.snapshotter.unmountContainerLayer(id); // never mounted: nothing to do
      await f.snapshotter.createContainerLayer(id, image);
      const root = await f.snapshotter.mountContainerLayer(id, image);
      assert.equal(await f.snapshotter.mountContainerLayer(id, image), root);
      assert.equal(mountedUnder(root).length, 1, 'a second mount stacks nothing');
      mkdirSync(join(root, 'made'));
      writeFileSync(join(root, 'made/file'), 'kept');
      await f.snapshotter.unmountContainerLayer(id);
      await f.snapshotter.unmountContainerLayer(id);
      assert.deepEqual(mountedUnder(root), []);
      const again = await f.snapshotter.mountContainerLayer(id, image);
      assert.equal(readFileSync(join(again, 'made/file'), 'utf8'), 'kept');
    },
  ],

  [
    "usage counts the bytes of the container's own layer only",
    async (f, used) => {
      const image = await f.addImage([[{ file: 'big', content: 'x'.repeat(10000) }]]);
      const id = cid();
      used.push(id);
      await f.snapshotter.createContainerLayer(id, image);
      const root = await f.snapshotter.mountContainerLayer(id, image);
      assert.equal(f.snapshotter.usage(id), 0);
      writeFileSync(join(root, 'w'), 'y'.repeat(3000));
      assert.equal(f.snapshotter.usage(id), 3000);
    },
  ],

  [
    'remove unmounts and deletes the container layer; removing again, or a container never made, is a no-op',
    async (f) => {
      const image = await f.addImage([[{ file: 'f', content: 'x' }]]);
      const id = cid();
      await f.snapshotter.createContainerLayer(id, image);
      const root = await f.snapshotter.mountContainerLayer(id, image);
      writeFileSync(join(root, 'w'), 'y');
      await f.snapshotter.removeContainerLayer(id);
      assert.deepEqual(mountedUnder(root), []);
      assert.equal(f.snapshotter.usage(id), 0);
      await f.snapshotter.removeContainerLayer(id);
      await f.snapshotter.removeContainerLayer(cid());
      // The image's layers are untouched by a container's removal.
      assert.equal(readFileSync(join(f.snapshotter.layerPaths(image)[0]!, 'f'), 'utf8'), 'x');
    },
  ],

  [
    'an image without layers mounts an empty, writable root',
    async (f, used) => {
      const image = await f.addImage([]);
      assert.deepEqual(f.snapshotter.layerPaths(image), []);
      const id = cid();
      used.push(id);
      await f.snapshotter.createContainerLayer(id, image);
      const root = await f.snapshotter.mountContainerLayer(id, image);
      assert.deepEqual(readdirSync(root), []);
      writeFileSync(join(root, 'f'), 'y');
      assert.equal(f.snapshotter.usage(id), 1);
    },
  ],
];

/** Registers the suite's tests for one implementation; `root` is where its mounts live (checked clean after each test). */
export function snapshotterSuite(
  name: string,
  factory: () => Promise<SnapshotterFixture & { root: string }>,
): void {
  for (const [title, body] of CASES) {
    test(`${name} snapshotter: ${title}`, async () => {
      const f = await factory();
      const used: string[] = [];
      try {
        await body(f, used);
      } finally {
        for (const id of used) await f.snapshotter.removeContainerLayer(id);
        const left = mountedUnder(f.root);
        await f.close();
        assert.deepEqual(left, [], 'every mount is gone after remove');
      }
    });
  }
}
