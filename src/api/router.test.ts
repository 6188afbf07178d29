import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from './error-status.js';
import { Router } from './router.js';

test('path parameters are %-decoded; an escape that is not UTF-8 is a 400, not a URIError', () => {
  const r = new Router().get('/containers/{name}/json', () => undefined);
  assert.deepEqual(r.match('GET', '/containers/a%20b/json')?.params, { name: 'a b' });
  assert.throws(
    () => r.match('GET', '/containers/%C3%28/json'),
    (e: unknown) => e instanceof HttpError && e.status === 400 && e.message === 'invalid URL escape "%C3"',
  );
});
