import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachKeyFilter, parseDetachKeys } from './detach-keys.js';

test('detach keys read as moby term.ToBytes reads them', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_'), [0, 27, 28, 29, 30, 31]);
  assert.deepEqual(parseDetachKeys('a,DEL,ctrl-z'), [97, 127, 26]);
  for (const bad of ['ctrl-pp', 'ctrl-P', ' ctrl-p', 'ctrl-1', 'alt-x', '']) {
    assert.throws(() => parseDetachKeys(bad), /Unknown character/, bad);
  }
});

test('the detach filter returns what came before the sequence in the same chunk', () => {
  let detached = 0;
  const f = new DetachKeyFilter([1, 2, 3], () => detached++);
  assert.deepEqual([...f.filter(Buffer.from([9, 1, 2]))], [9]);
  assert.deepEqual([...f.filter(Buffer.from([1]))], [1, 2]);
  assert.deepEqual([...f.filter(Buffer.from([2, 3, 7]))], []);
  assert.equal(detached, 1);
  assert.deepEqual([...new DetachKeyFilter([], () => detached++).filter(Buffer.from([1, 2, 3]))], [1, 2, 3]);
});
