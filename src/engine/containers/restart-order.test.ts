import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOrder } from './restart-order.js';

const c = (Id: string, Links: string[] | null = null, NetworkMode = 'bridge') => ({ Id, Name: `/${Id}`, HostConfig: { Links, NetworkMode } });

test('containers start after the ones they link to or share a network namespace with', () => {
  const web = c('web', ['/db:/web/db']);
  const sidecar = c('sidecar', null, 'container:web');
  const db = c('db');
  const other = c('other');
  const order = startOrder([sidecar, web, other, db]).map((x) => x.Id);
  assert.ok(order.indexOf('db') < order.indexOf('web'));
  assert.ok(order.indexOf('web') < order.indexOf('sidecar'));
  assert.equal(order.length, 4);
});

test('a cycle does not hang and keeps every container', () => {
  const a = c('a', null, 'container:b');
  const b = c('b', null, 'container:a');
  assert.deepEqual(startOrder([a, b]).map((x) => x.Id).sort(), ['a', 'b']);
});
