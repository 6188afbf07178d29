import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, ApiError, readAll, readJsonLines } from '../../client/api-client.js';
import { NotFoundError } from '../../common/errors.js';
import type { FilterArgs } from '../../common/filters.js';
import { Router } from '../router.js';
import { serveRouterForTests } from '../testing/router-server.js';
import type { ContainersBackend } from './container-backend.js';
import { registerContainerRoutes } from './containers.js';

// The container routes against a fake backend: what each route parses and passes on, and how it
// writes the answer. The engine side of each call has its own unit tests.

const calls: [string, ...unknown[]][] = [];

const known = (ref: string) => {
  if (ref !== 'web') throw new NotFoundError(`No such container: ${ref}`);
};

function fakeBackend(): ContainersBackend {
  const containers = {
    list: async (o: unknown) => (calls.push(['list', o]), [{ Id: 'c1', HostConfig: { NetworkMode: 'bridge', Annotations: { a: 'b' } } }]),
    prune: async (f: FilterArgs) => (calls.push(['prune', f]), { ContainersDeleted: null, SpaceReclaimed: 0 }),
    stop: async (ref: string, o: unknown) => void calls.push(['stop', ref, o]),
    logs: (ref: string) => {
      known(ref);
      return { tty: true, entries: (async function* () {})() };
    },
    stats: (ref: string, o: { stream: boolean }) => {
      known(ref);
      calls.push(['stats', o.stream]);
      return (async function* () {
        yield { n: 1 };
        yield { n: 2 };
      })();
    },
    wait: (ref: string, condition: string) => {
      known(ref);
      return { result: Promise.resolve({ StatusCode: condition === 'next-exit' ? 3 : 0, Error: null }) };
    },
    attachTarget: (ref: string) => (known(ref), { id: 'c1', tty: false }),
  };
  return { containers, exec: {} } as unknown as ContainersBackend;
}

const socket = serveRouterForTests('berth-routes-', () => {
  const router = new Router();
  registerContainerRoutes(router, fakeBackend());
  return router;
});

const client = (version?: string) => new ApiClient(`unix://${socket()}`, version);

test('ps passes its query on in one call, and old clients get the list gated', async () => {
  calls.length = 0;
  const list = await client('1.45').call('GET', '/containers/json', { query: { all: '1', limit: '3', size: '1', filters: { label: ['a=b'] } } });
  assert.deepEqual(calls, [['list', { all: true, filters: { label: ['a=b'] }, limit: 3, size: true }]]);
  assert.deepEqual(list, [{ Id: 'c1', HostConfig: { NetworkMode: 'bridge' } }]);
});

test('prune hands its filters to the backend; stop reads t as strconv.Atoi', async () => {
  calls.length = 0;
  assert.deepEqual(await client().call('POST', '/containers/prune', { query: { filters: { until: ['1h'] } } }), { ContainersDeleted: null, SpaceReclaimed: 0 });
  await client().call('POST', '/containers/web/stop', { query: { t: '-1', signal: 'SIGINT' } });
  assert.deepEqual(calls, [
    ['prune', { until: ['1h'] }],
    ['stop', 'web', { timeout: -1, signal: 'SIGINT' }],
  ]);
  await assert.rejects(client().call('POST', '/containers/web/stop', { query: { t: '1.5' } }), (e: ApiError) => e.status === 400 && /strconv.Atoi: parsing "1.5"/.test(e.message));
});

test('a missing container is a 404 before any stream starts', async () => {
  for (const [method, path] of [
    ['GET', '/containers/nope/logs?stdout=1'],
    ['GET', '/containers/nope/stats'],
    ['POST', '/containers/nope/wait'],
    ['POST', '/containers/nope/attach?stream=1'],
  ] as const) {
    await assert.rejects(client().call(method, path), (e: ApiError) => e.status === 404 && e.message === 'No such container: nope', path);
  }
});

test('stats: stream=false answers with the one document, a stream with one JSON line each', async () => {
  calls.length = 0;
  assert.deepEqual(await client().call('GET', '/containers/web/stats', { query: { stream: '0' } }), { n: 2 });
  const lines = [];
  for await (const l of readJsonLines(await client().stream('GET', '/containers/web/stats'))) lines.push(l);
  assert.deepEqual(lines, [{ n: 1 }, { n: 2 }]);
  assert.deepEqual(calls, [
    ['stats', false],
    ['stats', true],
  ]);
});

test('wait checks its condition and answers with the result', async () => {
  assert.deepEqual(await client().call('POST', '/containers/web/wait', { query: { condition: 'next-exit' } }), { StatusCode: 3, Error: null });
  await assert.rejects(client().call('POST', '/containers/web/wait', { query: { condition: 'soon' } }), (e: ApiError) => e.status === 400 && e.message === 'invalid condition: "soon"');
});

test('attach refuses detach keys docker cannot read, before hijacking', async () => {
  const res = await client().request('POST', '/containers/web/attach', { query: { stream: '1', detachKeys: 'ctrl-pp' } });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(JSON.parse((await readAll(res)).toString()), { message: 'invalid detach keys (ctrl-pp) provided' });
});

test('the WebSocket attach is registered once: a plain GET is told it wants an upgrade', async () => {
  const res = await client().request('GET', '/containers/web/attach/ws', { query: { stream: '1' } });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(JSON.parse((await readAll(res)).toString()), { message: 'this endpoint expects a WebSocket upgrade' });
});
