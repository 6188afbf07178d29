import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH, nestedDeeperThan, parseJsonBody } from './json-body.js';

test('bodies that are not JSON are refused in Go words', () => {
  assert.equal(parseJsonBody('  '), undefined);
  assert.deepEqual(parseJsonBody('{"a":[1]}'), { a: [1] });
  assert.throws(() => parseJsonBody('{"a":'), { message: 'invalid JSON: unexpected EOF' });
  assert.throws(() => parseJsonBody('x'), { message: "invalid JSON: invalid character 'x' looking for beginning of value" });
  assert.throws(() => parseJsonBody('{} {}'), { message: 'unexpected content after JSON' });
});

test('nesting is bounded (the store could not write it back), strings do not count', () => {
  const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
  assert.throws(() => parseJsonBody(deep), { message: 'invalid JSON: exceeded max depth' });
  assert.equal(nestedDeeperThan(JSON.stringify({ s: '['.repeat(5000) }), 10), false);
  assert.equal(nestedDeeperThan('[[["\\"[[["]]]', 3), false);
});
