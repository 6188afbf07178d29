import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reclaimedSpace, sizesOf, trySize } from './container-sizes.js';

test('sizes come in order; one that cannot be measured is undefined, not a failed list', async () => {
  const sizer = async (id: string) => {
    if (id === 'gone') throw new Error('no such container');
    return { rw: id.length, rootFs: id.length + 10 };
  };
  assert.deepEqual(await sizesOf(sizer, ['ab', 'gone', 'abcd']), [{ rw: 2, rootFs: 12 }, undefined, { rw: 4, rootFs: 14 }]);
  assert.deepEqual(await sizesOf(undefined, ['ab']), [undefined]);
  assert.equal(await trySize(() => ({ rw: 1, rootFs: 2 }), 'x').then((s) => s?.rw), 1);
});

test('reclaimed space sums the writable layers only', () => {
  assert.equal(reclaimedSpace([{ rw: 5, rootFs: 500 }, undefined, { rw: 7, rootFs: 700 }]), 12);
  assert.equal(reclaimedSpace([]), 0);
});
