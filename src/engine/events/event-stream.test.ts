import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus, type BerthEvent } from './event-bus.js';
import { followEvents } from './event-stream.js';

const actions = (list: BerthEvent[]) => list.map((e) => `${e.Type}:${e.Action}`);

test('a bound replays the recorded events that match, up to until', async () => {
  const bus = new EventBus();
  bus.emit({ Type: 'container', Action: 'create', Actor: { ID: 'c1' } });
  bus.emit({ Type: 'volume', Action: 'create', Actor: { ID: 'v1' } });
  bus.emit({ Type: 'container', Action: 'start', Actor: { ID: 'c1' } });
  const got: BerthEvent[] = [];
  const until = bus.history(0).at(-1)!.timeNano;
  await followEvents(bus, { since: 0, until, filters: { type: ['container'] }, signal: new AbortController().signal }, (e) => got.push(e));
  assert.deepEqual(actions(got), ['container:create', 'container:start']);
});

test('without bounds only live events come, until the client leaves', async () => {
  const bus = new EventBus();
  bus.emit({ Type: 'container', Action: 'old', Actor: { ID: 'c1' } });
  const abort = new AbortController();
  const got: BerthEvent[] = [];
  const done = followEvents(bus, { filters: { event: ['start'] }, signal: abort.signal }, (e) => got.push(e));
  bus.emit({ Type: 'container', Action: 'start', Actor: { ID: 'c1' } });
  bus.emit({ Type: 'container', Action: 'stop', Actor: { ID: 'c1' } });
  abort.abort();
  await done;
  bus.emit({ Type: 'container', Action: 'start', Actor: { ID: 'c2' } });
  assert.deepEqual(actions(got), ['container:start']);
});

test('a client already gone gets the replay and no subscription', async () => {
  const bus = new EventBus();
  bus.emit({ Type: 'network', Action: 'create', Actor: { ID: 'n1' } });
  const abort = new AbortController();
  abort.abort();
  const got: BerthEvent[] = [];
  await followEvents(bus, { since: 0, filters: {}, signal: abort.signal }, (e) => got.push(e));
  assert.deepEqual(actions(got), ['network:create']);
});

test('event times never go back, so a replay bounded by the last event holds all before it', () => {
  const bus = new EventBus(100_000);
  for (let i = 0; i < 20_000; i++) bus.emit({ Type: 'container', Action: 'exec_create', Actor: { ID: 'c1' } });
  const times = bus.history(0).map((e) => e.timeNano);
  assert.equal(times.length, 20_000);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, `event ${i} is earlier than the one before it`);
});
