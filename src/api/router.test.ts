import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from './error-status.js';
import { Router } from './router.js';
import { parseRequestUrl } from './server.js';

test('path parameters are %-decoded; an escape that is not UTF-8 is a 400, not a URIError', () => {
  const r = new Router().get('/containers/{name}/json', () => undefined);
  assert.deepEqual(r.match('GET', '/containers/a%20b/json')?.params, { name: 'a b' });
  assert.throws(
    () => r.match('GET', '/containers/%C3%28/json'),
    (e: unknown) => e instanceof HttpError && e.status === 400 && e.message === 'invalid URL escape "%C3"',
  );
});

test('request targets: a bad %-escape is a 400, a path starting with // stays a path', () => {
  assert.equal(parseRequestUrl('//containers/json?all=1').pathname, '//containers/json');
  assert.equal(parseRequestUrl('/containers/json?filters=%7B%7D').searchParams.get('filters'), '{}');
  assert.throws(() => parseRequestUrl('/x?a=%zz'), (e: unknown) => e instanceof HttpError && e.status === 400 && e.message === 'invalid URL escape "%zz"');
  assert.throws(() => parseRequestUrl('http://[::1'), (e: unknown) => e instanceof HttpError && e.status === 400);
});
