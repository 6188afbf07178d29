import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureObject, isJsonObject, objectAt, objectsIn } from './json-object.js';

test('objects are told from null and scalars; arrays count, as JSON.parse gives them', () => {
  assert.equal(isJsonObject({}), true);
  assert.equal(isJsonObject([]), true);
  for (const v of [null, undefined, 0, '', 'x', true]) assert.equal(isJsonObject(v), false, String(v));
  const o = { a: 1 };
  assert.equal(objectAt(o), o);
  assert.equal(objectAt('x'), undefined);
});

test('objectsIn keeps the objects of an array, in order, and reads anything else as none', () => {
  const a = { n: 1 };
  const b = { n: 2 };
  assert.deepEqual(objectsIn([a, null, 'x', b, 3]), [a, b]);
  assert.deepEqual(objectsIn({ 0: a }), []);
  assert.deepEqual(objectsIn(undefined), []);
});

test('ensureObject returns the object there, or puts an empty one in place of none', () => {
  const inner = { x: 1 };
  const h: Record<string, unknown> = { a: inner, b: null };
  assert.equal(ensureObject(h, 'a'), inner);
  const made = ensureObject(h, 'b');
  assert.deepEqual(made, {});
  assert.equal(h.b, made);
  ensureObject(h, 'c').y = 2;
  assert.deepEqual(h.c, { y: 2 });
});
