import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceCgroupRules } from './devices.js';

test('device cgroup rules become OCI allow rules, a * as "any"', () => {
  assert.deepEqual(deviceCgroupRules(['c 7:128 rwm', 'b 8:* r', 'a *:* m']), [
    { allow: true, type: 'c', major: 7, minor: 128, access: 'rwm' },
    { allow: true, type: 'b', major: 8, access: 'r' },
    { allow: true, type: 'a', access: 'm' },
  ]);
  assert.deepEqual(deviceCgroupRules(null), []);
  for (const bad of ['c 7-128 rwm', 'x 1:2 r', 'c 1:2 rwx', 'c 1:2', ' c 1:2 r']) {
    assert.throws(() => deviceCgroupRules([bad]), new RegExp(`invalid device cgroup rule format: '${bad.replace(/[*]/g, '\\*')}'`));
  }
});
