import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../common/logger.js';
import type { ContainerRecord } from '../containers/container-model.js';
import { AutoUpgrader } from './auto-upgrader.js';
import type { RevisionContainers } from './ports.js';
import type { UpgradeRunner } from './upgrade-runner.js';

const ctr = (id: string, labels: Record<string, string>, running = true) => ({ Id: id, Name: `/${id}`, Config: { Labels: labels }, State: { Running: running } }) as unknown as ContainerRecord;

test('only running containers labelled berth.upgrade=auto are upgraded, one at a time, and a failure does not stop the round', async () => {
  const containers = { list: () => [ctr('a', { 'berth.upgrade': 'auto' }), ctr('b', {}), ctr('c', { 'berth.upgrade': 'auto' }, false), ctr('d', { 'berth.upgrade': 'auto' })] } as unknown as RevisionContainers;
  const seen: string[] = [];
  let inFlight = 0;
  const runner = {
    upgrade: async (id: string) => {
      assert.equal(inFlight++, 0);
      seen.push(id);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (id === 'a') throw new Error('registry down');
      return { result: 'up-to-date', revision: 1, containerId: id };
    },
  } as unknown as UpgradeRunner;
  await new AutoUpgrader(containers, runner, createLogger('silent'), 0).runOnce();
  assert.deepEqual(seen, ['a', 'd']);
});
