import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReadRoute } from './remote-access.js';

test('read routes are GET and HEAD, without the websocket attach', () => {
  assert.equal(isReadRoute('GET', '/containers/json'), true);
  assert.equal(isReadRoute('HEAD', '/_ping'), true);
  assert.equal(isReadRoute('GET', '/containers/abc/logs'), true);
  assert.equal(isReadRoute('GET', '/containers/abc/attach/ws'), false);
  assert.equal(isReadRoute('POST', '/containers/create'), false);
  assert.equal(isReadRoute('DELETE', '/containers/abc'), false);
  assert.equal(isReadRoute('POST', '/containers/abc/attach'), false);
});
