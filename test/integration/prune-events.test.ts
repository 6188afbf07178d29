import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll } from '../../src/client/api-client.js';
import { api } from '../helpers/daemon.js';

// Every prune says so on /events as dockerd does: Type image/volume/builder/container/network,
// Action "prune", no actor ID, the bytes reclaimed in Attributes.reclaimed ("0" for networks).

interface Event {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

async function pruneEvents(since: number, type: string): Promise<Event[]> {
  const res = await api().stream('GET', '/events', {
    query: { since: String(since), until: String(Math.ceil(Date.now() / 1000) + 1), filters: JSON.stringify({ type: [type], event: ['prune'] }) },
  });
  return (await readAll(res))
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);
}

async function checkPrune(path: string, type: string, reclaimed: (body: Record<string, unknown>) => string): Promise<void> {
  const since = Date.now() / 1000 - 1;
  const body = (await api().call('POST', path)) as Record<string, unknown>;
  const events = await pruneEvents(since, type);
  const mine = events.find((e) => e.Actor.Attributes.reclaimed === reclaimed(body));
  assert.ok(mine, `${path}: no ${type} prune event with reclaimed=${reclaimed(body)} in ${JSON.stringify(events)}`);
  assert.equal(mine.Actor.ID, '');
}

test('image, volume and build cache prunes emit their prune events with what they reclaimed', async () => {
  await checkPrune('/images/prune', 'image', (b) => String(b.SpaceReclaimed));
  await checkPrune('/volumes/prune', 'volume', (b) => String(b.SpaceReclaimed));
  await checkPrune('/build/prune', 'builder', (b) => String(b.SpaceReclaimed));
});

test('container and network prunes emit their prune events', async () => {
  await checkPrune('/containers/prune', 'container', (b) => String(b.SpaceReclaimed));
  await checkPrune('/networks/prune', 'network', () => '0');
});
