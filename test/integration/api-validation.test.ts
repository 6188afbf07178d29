import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { readAll } from '../helpers/raw-client.js';
import { BUSYBOX, pullBusybox, removeContainers } from '../helpers/busybox.js';
import { api, TEST_DATA_ROOT, TEST_SOCKET } from '../helpers/daemon.js';

// Malformed requests are refused at the edge in dockerd's words and never stored; a record that
// is stored malformed anyway does not take listings down; client faults are 4xx without
// JavaScript internals; one hostile body does not stall the daemon.

const PREFIX = `berth-validation-${process.pid}`;
const containers: string[] = [];
const networks: string[] = [];
const volumes: string[] = [];

before(pullBusybox);
after(async () => {
  await removeContainers(containers);
  for (const n of networks) await api().call('DELETE', `/networks/${n}`).catch(() => undefined);
  for (const v of volumes) await api().call('DELETE', `/volumes/${v}`, { query: { force: '1' } }).catch(() => undefined);
});

/** The daemon's own database, written beside it (WAL) as an older berth would have left a record. */
function openStore(): Database.Database {
  const db = new Database(join(TEST_DATA_ROOT, 'berth.db'));
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A raw request: the path is sent as written (bad %-escapes included), the body as given. */
function raw(method: string, path: string, body?: string | Buffer, type = 'application/json'): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body === undefined ? {} : { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) };
    const req = request({ socketPath: TEST_SOCKET, method, path, headers }, async (res) => {
      const text = (await readAll(res)).toString();
      let message = text;
      try {
        message = JSON.parse(text).message ?? text;
      } catch {
        /* not JSON */
      }
      resolve({ status: res.statusCode ?? 0, message });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function refused(method: string, path: string, body: unknown, status: number, message: string | RegExp): Promise<void> {
  const r = await raw(method, path, typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  assert.equal(r.status, status, `${method} ${path}: ${r.message}`);
  if (typeof message === 'string') assert.equal(r.message, message);
  else assert.match(r.message, message);
}

async function listsAnswer(): Promise<void> {
  for (const p of ['/containers/json?all=1', '/networks', '/volumes', '/images/json']) {
    const r = await raw('GET', p);
    assert.equal(r.status, 200, `${p}: ${r.message}`);
  }
}

test('a Cmd with a number is refused as dockerd words it and nothing is stored', async () => {
  const before = (await api().call('GET', '/containers/json', { query: { all: '1' } })).length;
  containers.push(`${PREFIX}-cmd`); // removed afterwards should it ever be created
  await refused(
    'POST',
    `/containers/create?name=${PREFIX}-cmd`,
    { Image: BUSYBOX, Cmd: [1, 'a', null] },
    400,
    'invalid JSON: json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string',
  );
  assert.equal((await api().call('GET', '/containers/json', { query: { all: '1' } })).length, before);
  await listsAnswer();
});

test('network Labels that are not a map are refused; network ls keeps answering', async () => {
  networks.push(`${PREFIX}-labels`);
  await refused(
    'POST',
    '/networks/create',
    { Name: `${PREFIX}-labels`, Labels: 5 },
    400,
    'invalid JSON: json: cannot unmarshal number into Go struct field NetworkCreateRequest.Labels of type map[string]string',
  );
  await listsAnswer();
});

test('update with Memory "x" is refused and inspect keeps working; a numeric string still works', async () => {
  const { Id } = await api().call('POST', '/containers/create', { query: { name: `${PREFIX}-upd` }, body: { Image: BUSYBOX, Cmd: ['true'] } });
  containers.push(Id);
  await refused('POST', `/containers/${Id}/update`, { Memory: 'x' }, 400, 'invalid JSON: json: cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64');
  const c = await api().call('GET', `/containers/${Id}/json`);
  assert.equal(c.HostConfig.Memory, 0);
  // Old clients send numbers as strings: accepted as the number, as before.
  await api().call('POST', `/containers/${Id}/update`, { body: { Memory: '67108864' } });
  assert.equal((await api().call('GET', `/containers/${Id}/json`)).HostConfig.Memory, 67108864);
});

test('EndpointsConfig as a huge string is refused at once and /_ping is not held up', async () => {
  for (const size of [20_000, 100_000]) {
    containers.push(`${PREFIX}-ep${size}`);
    const body = { Image: BUSYBOX, NetworkingConfig: { EndpointsConfig: 'x'.repeat(size) } };
    const [r, ping] = await Promise.all([raw('POST', `/containers/create?name=${PREFIX}-ep${size}`, JSON.stringify(body)), raw('GET', '/_ping')]);
    assert.equal(r.status, 400);
    assert.equal(
      r.message,
      'invalid JSON: json: cannot unmarshal string into Go struct field NetworkingConfig.NetworkingConfig.EndpointsConfig of type map[string]*network.EndpointSettings',
    );
    assert.equal(ping.status, 200);
  }
  await listsAnswer();
});

test('client mistakes that used to be 500s with JavaScript internals are 4xx in Docker words', async () => {
  const internals = /is not a function|is not iterable|URI malformed|ENAMETOOLONG|Unexpected end of data|Cannot read prop/;
  const cases: [string, string, unknown, number, string | RegExp][] = [
    ['POST', '/containers/create', { Image: BUSYBOX, HostConfig: { NetworkMode: 5 } }, 400, /Go struct field HostConfig\.HostConfig\.NetworkMode of type container\.NetworkMode$/],
    ['POST', '/containers/create', { Image: BUSYBOX, HostConfig: { IpcMode: ['x'] } }, 400, /HostConfig\.HostConfig\.IpcMode/],
    ['POST', '/containers/create', { Image: BUSYBOX, Env: 'A=1' }, 400, /ContainerConfigWrapper\.Env of type \[\]string$/],
    ['POST', '/containers/create', '{"Image": ', 400, 'invalid JSON: unexpected EOF'],
    ['GET', '/containers/%E0%A4%A/json', undefined, 400, /^invalid URL escape/],
    ['GET', '/containers/%C3%28/json', undefined, 400, /^invalid URL escape/],
    ['GET', '/containers/json?filters=%zz', undefined, 400, 'invalid URL escape "%zz"'],
    ['POST', '/volumes/create', { Name: 'v'.repeat(300) }, 400, 'invalid JSON: CreateOptions.Name: string too long (at most 255 characters)'],
    ['POST', '/build?labels=5', '', 400, 'error reading labels: json: cannot unmarshal number into Go value of type map[string]string'],
  ];
  for (const [method, path, body, status, message] of cases) {
    const r = await raw(method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    assert.equal(r.status, status, `${method} ${path}: ${r.message}`);
    if (typeof message === 'string') assert.equal(r.message, message);
    else assert.match(r.message, message);
    assert.doesNotMatch(r.message, internals);
  }
  // A bad tar into a container is the client's fault too.
  const { Id } = await api().call('POST', '/containers/create', { query: { name: `${PREFIX}-tar` }, body: { Image: BUSYBOX, Cmd: ['true'] } });
  containers.push(Id);
  const truncated = Buffer.alloc(700, 0x61);
  const r = await raw('PUT', `/containers/${Id}/archive?path=/tmp`, truncated, 'application/x-tar');
  assert.ok(r.status >= 400 && r.status < 500, `${r.status}: ${r.message}`);
  assert.doesNotMatch(r.message, internals);
  await listsAnswer();
});

test('a network or volume stored malformed (by an older berth) does not break their listings', async () => {
  const net = await api().call('POST', '/networks/create', { body: { Name: `${PREFIX}-net`, Labels: { a: 'b' } } });
  networks.push(net.Id);
  const vol = await api().call('POST', '/volumes/create', { body: { Name: `${PREFIX}-vol`, Labels: { a: 'b' } } });
  volumes.push(vol.Name);
  const db = openStore();
  const netDoc = (db.prepare('SELECT doc FROM networks WHERE id = ?').get(net.Id) as { doc: string }).doc;
  const volDoc = (db.prepare('SELECT doc FROM volumes WHERE name = ?').get(vol.Name) as { doc: string }).doc;
  try {
    db.prepare('UPDATE networks SET doc = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(netDoc), Labels: 5 }), net.Id);
    db.prepare('UPDATE volumes SET doc = ? WHERE name = ?').run(JSON.stringify({ ...JSON.parse(volDoc), Labels: [1, 2] }), vol.Name);
    const nets = await api().call('GET', '/networks');
    assert.deepEqual(nets.find((n: { Id: string }) => n.Id === net.Id)?.Labels, {});
    const labelled = await api().call('GET', '/networks', { query: { filters: JSON.stringify({ label: ['a'] }) } });
    assert.ok(!labelled.some((n: { Id: string }) => n.Id === net.Id));
    const vols = (await api().call('GET', '/volumes')).Volumes;
    assert.deepEqual(vols.find((v: { Name: string }) => v.Name === vol.Name)?.Labels, {});
  } finally {
    db.prepare('UPDATE networks SET doc = ? WHERE id = ?').run(netDoc, net.Id);
    db.prepare('UPDATE volumes SET doc = ? WHERE name = ?').run(volDoc, vol.Name);
    db.close();
  }
});

test('commit refuses a tag Docker would refuse; a malformed stored tag does not break image listings', async () => {
  const { Id } = await api().call('POST', '/containers/create', { query: { name: `${PREFIX}-commit` }, body: { Image: BUSYBOX, Cmd: ['true'] } });
  containers.push(Id);
  await refused('POST', `/commit?container=${Id}&repo=${PREFIX}-img&tag=b@c`, '', 400, 'invalid tag format');
  await refused('POST', `/commit?container=${Id}&repo=${PREFIX}-img`, { Cmd: 5 }, 400, 'invalid JSON: json: cannot unmarshal number into Go struct field Config.Cmd of type string');
  const busybox = (await api().call('GET', `/images/${encodeURIComponent(BUSYBOX)}/json`)).Id as string;
  const db = openStore();
  const bad = `docker.io/library/${PREFIX}:b@c`;
  try {
    db.prepare('INSERT INTO image_tags (ref, image_id) VALUES (?, ?)').run(bad, busybox);
    const r = await raw('GET', '/images/json');
    assert.equal(r.status, 200, r.message);
    const images = JSON.parse(JSON.stringify(await api().call('GET', '/images/json')));
    assert.ok(images.some((i: { Id: string }) => i.Id === busybox));
  } finally {
    db.prepare('DELETE FROM image_tags WHERE ref = ?').run(bad);
    db.close();
  }
});

test('docker-py and old clients: null everywhere and a string Cmd are accepted as Go accepts them', async () => {
  const { Id } = await api().call('POST', '/containers/create', {
    query: { name: `${PREFIX}-nulls` },
    body: { Image: BUSYBOX, Cmd: 'true', Entrypoint: null, Env: null, Tty: null, Labels: null, HostConfig: { Binds: null, Memory: null, PortBindings: null }, NetworkingConfig: null },
  });
  containers.push(Id);
  const c = await api().call('GET', `/containers/${Id}/json`);
  assert.deepEqual(c.Config.Cmd, ['true']);
  assert.equal(c.Config.Tty, false);
  const exec = await raw('POST', `/containers/${Id}/exec`, JSON.stringify({ cmd: 5 }));
  assert.equal(exec.status, 400);
  assert.equal(exec.message, 'invalid JSON: json: cannot unmarshal number into Go struct field ExecConfig.Cmd of type string');
});
