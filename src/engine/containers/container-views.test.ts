import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameMatches } from './container-views.js';

test('the name filter matches as moby does: regexp against the name with and without its slash', () => {
  assert.ok(nameMatches(['^/web'], '/web-1'));
  assert.ok(nameMatches(['^web'], '/web-1'));
  assert.ok(nameMatches(['/web-1'], '/web-1'));
  assert.ok(nameMatches(['eb-'], '/web-1'), 'a substring matches');
  assert.ok(nameMatches(['1$'], '/web-1'));
  assert.ok(nameMatches(['(?i)^/WEB'], '/web-1'), 'RE2 flag groups work');
  assert.ok(nameMatches(['nope', 'web'], '/web-1'), 'any value may match');
  assert.ok(!nameMatches(['^/db'], '/web-1'));
  assert.ok(!nameMatches(['^eb'], '/web-1'));
  // An invalid regexp matches nothing rather than failing the list.
  assert.ok(!nameMatches(['web['], '/web-1'));
  assert.ok(nameMatches(['web[', 'web'], '/web-1'));
});
