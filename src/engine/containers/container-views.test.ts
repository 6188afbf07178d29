import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../common/errors.js';
import { initialState, type ContainerRecord, type ContainerStatus } from './container-model.js';
import { withStatus } from './container-state.js';
import { filterContainers, nameMatches } from './container-views.js';

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

function record(name: string, o: { labels?: Record<string, string>; status?: Exclude<ContainerStatus, 'removing'>; exitCode?: number } = {}): ContainerRecord {
  const state = withStatus(initialState(), o.status ?? 'running', { ExitCode: o.exitCode ?? 0 });
  return {
    Id: name.padEnd(64, '0'),
    Name: `/${name}`,
    Created: '2026-01-01T00:00:00Z',
    Path: 'sh',
    Args: [],
    Image: 'sha256:img',
    Config: { Image: 'busybox', Labels: o.labels ?? {} },
    HostConfig: { NetworkMode: 'bridge' },
    State: state,
    NetworkSettings: {},
    Mounts: [],
    LogPath: '',
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    generation: 1,
    endpointsConfig: {},
    manuallyStopped: false,
  };
}

const ctx = { imageId: () => undefined, container: (r: string) => { throw new Error(`No such container: ${r}`); } };
const names = (cs: ContainerRecord[]) => cs.map((c) => c.Name);

test('list filters: labels as key or key=value (all must match), status, exited, id prefix', () => {
  const all = [
    record('a1', { labels: { tier: 'web', env: 'prod' } }),
    record('b2', { labels: { tier: 'db', 'x=y': 'z' } }),
    record('c3', { status: 'exited', exitCode: 3 }),
  ];
  assert.deepEqual(names(filterContainers(all, { label: ['tier'] }, ctx)), ['/a1', '/b2']);
  assert.deepEqual(names(filterContainers(all, { label: ['tier=web', 'env=prod'] }, ctx)), ['/a1']);
  assert.deepEqual(names(filterContainers(all, { label: ['tier=web', 'env=dev'] }, ctx)), []);
  assert.deepEqual(names(filterContainers(all, { label: ['constructor'] }, ctx)), [], 'only the labels themselves count');
  assert.deepEqual(names(filterContainers(all, { status: ['exited'] }, ctx)), ['/c3']);
  assert.deepEqual(names(filterContainers(all, { exited: ['3'] }, ctx)), ['/c3']);
  assert.deepEqual(names(filterContainers(all, { exited: ['0'] }, ctx)), [], 'a running container has not exited');
  assert.deepEqual(names(filterContainers(all, { id: ['b2'] }, ctx)), ['/b2']);
});

test("list filters: dockerd's 400s for an unknown key or status", () => {
  assert.throws(() => filterContainers([], { colour: ['red'] }, ctx), (e) => e instanceof InvalidArgumentError && e.message === "invalid filter 'colour'");
  assert.throws(() => filterContainers([], { status: ['sleeping'] }, ctx), (e) => e instanceof InvalidArgumentError && e.message === "invalid filter 'status=sleeping'");
  assert.throws(() => filterContainers([], { 'label!': ['a'] }, ctx), { message: "invalid filter 'label!'" });
});
