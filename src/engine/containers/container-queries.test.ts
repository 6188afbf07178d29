import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../common/logger.js';
import type { ContainerRecord } from './container-model.js';
import { inspectContainer, listContainers, topContainer, type ContainerQueryDeps } from './container-queries.js';

function record(id: string, status: 'running' | 'exited' | 'restarting', labels: Record<string, string> = {}): ContainerRecord {
  return {
    Id: id,
    Name: `/${id}`,
    Created: '2026-01-01T00:00:00Z',
    Path: 'sh',
    Args: [],
    Image: 'sha256:img',
    Config: { Image: 'busybox', Labels: labels },
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
    State: {
      Status: status,
      Running: status !== 'exited',
      Restarting: status === 'restarting',
      Paused: false,
      StartedAt: '2026-01-01T00:00:00Z',
      FinishedAt: '2026-01-01T00:00:01Z',
      ExitCode: 0,
    },
  } as unknown as ContainerRecord;
}

function deps(list: ContainerRecord[]): ContainerQueryDeps {
  return {
    list: () => list,
    get: (ref) => list.find((c) => c.Id === ref) ?? assert.fail(`No such container: ${ref}`),
    imageId: () => undefined,
    execIds: (id) => [`exec-of-${id}`],
    graphDriverData: (id) => ({ UpperDir: `/u/${id}` }),
    top: async (c) => ({ Titles: ['PID'], Processes: [[c.Id]] }),
    size: (id) => {
      if (id === 'b') throw new Error('gone');
      return { rw: 1, rootFs: 2 };
    },
    logger: silentLogger,
  };
}

const all = [record('a', 'running', { x: '1' }), record('b', 'exited'), record('c', 'running')];

test('ps shows running containers unless all, a status filter chooses, limit bounds', async () => {
  const ids = async (o: Parameters<typeof listContainers>[1]) => (await listContainers(deps(all), o)).map((v) => v.Id);
  assert.deepEqual(await ids({ all: false, filters: {}, limit: -1, size: false }), ['a', 'c']);
  assert.deepEqual(await ids({ all: true, filters: {}, limit: 2, size: false }), ['a', 'b']);
  assert.deepEqual(await ids({ all: false, filters: { status: ['exited'] }, limit: 0, size: false }), ['b']);
  assert.deepEqual(await ids({ all: true, filters: { label: ['x=1'] }, limit: -1, size: false }), ['a']);
});

test('ps -s measures each container; one that cannot be measured just has no size', async () => {
  const list = await listContainers(deps(all), { all: true, filters: {}, limit: -1, size: true });
  assert.deepEqual(
    list.map((v) => [v.Id, v.SizeRw]),
    [
      ['a', 1],
      ['b', undefined],
      ['c', 1],
    ],
  );
});

test('inspect adds exec ids, graph driver data and the size when asked', async () => {
  const v = await inspectContainer(deps(all), 'a', { size: true });
  assert.deepEqual([v.ExecIDs, v.GraphDriver.Data, v.SizeRw], [['exec-of-a'], { UpperDir: '/u/a' }, 1]);
  await assert.rejects(inspectContainer(deps(all), 'b', { size: true }), /gone/);
});

test('top wants a running container that is not restarting', async () => {
  assert.deepEqual(await topContainer(deps(all), 'a', '-ef'), { Titles: ['PID'], Processes: [['a']] });
  await assert.rejects(topContainer(deps(all), 'b', '-ef'), /container b is not running/);
  await assert.rejects(topContainer(deps([record('r', 'restarting')]), 'r', '-ef'), /Container r is restarting, wait until the container is running/);
});
