import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BerthEvent } from './event-bus.js';
import { matchesEventFilters } from './event-filters.js';

function event(type: BerthEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): BerthEvent {
  return { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local', time: 1, timeNano: 1e9 };
}

const start = event('container', 'start', 'abcdef123456', { name: 'web', image: 'busybox', tier: 'front', 'com.x': 'a=b' });
const exec = event('container', 'exec_start: sh -c true', 'abcdef123456', { name: 'web' });
const net = event('network', 'connect', 'net0123', { name: 'lan', container: 'abcdef123456' });
const vol = event('volume', 'create', 'data', { driver: 'local' });

const matching = (filters: Record<string, string[]>) =>
  [start, exec, net, vol].filter((e) => matchesEventFilters(e, filters)).map((e) => `${e.Type}:${e.Action}`);

test('no filters pass everything; type is an exact match', () => {
  assert.equal(matching({}).length, 4);
  assert.deepEqual(matching({ type: ['network', 'volume'] }), ['network:connect', 'volume:create']);
  assert.deepEqual(matching({ type: ['containers'] }), []);
});

test('event matches the action, and the action before ": " of exec and health events', () => {
  assert.deepEqual(matching({ event: ['exec_start'] }), ['container:exec_start: sh -c true']);
  assert.deepEqual(matching({ event: ['start', 'create'] }), ['container:start', 'volume:create']);
  assert.deepEqual(matching({ event: ['exec'] }), []);
});

test('container, network, volume name their own events by id, name or image; a 3+ prefix of it', () => {
  assert.deepEqual(matching({ container: ['web'] }), ['container:start', 'container:exec_start: sh -c true']);
  assert.deepEqual(matching({ container: ['abc'] }), ['container:start', 'container:exec_start: sh -c true']);
  assert.deepEqual(matching({ container: ['ab'] }), []);
  assert.deepEqual(matching({ image: ['busybox'] }), []);
  assert.deepEqual(matching({ network: ['lan'] }), ['network:connect']);
  assert.deepEqual(matching({ volume: ['data'], type: ['volume'] }), ['volume:create']);
});

test('label filters match the attributes: key, key=value, a value holding "="', () => {
  assert.deepEqual(matching({ label: ['tier'] }), ['container:start']);
  assert.deepEqual(matching({ label: ['tier=front', 'com.x=a=b'] }), ['container:start']);
  assert.deepEqual(matching({ label: ['tier=back'] }), []);
  assert.deepEqual(matching({ label: ['constructor'] }), []);
});
