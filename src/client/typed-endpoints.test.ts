import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ApiClient, ApiError, ConnectionError, type JsonMessage } from './api-client.js';

// The typed methods against a fake daemon on a unix socket: each one must send the method, path,
// query and body the CLI sent by hand before, and hand back the answer decoded.

interface Seen {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = (res: ServerResponse) => void;

const dir = mkdtempSync(join(tmpdir(), 'berth-client-test-'));
const socket = join(dir, 'fake.sock');
const seen: Seen[] = [];
let reply: Reply = (res) => json(res, 200, {});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    seen.push({ method: req.method ?? '', path: url.pathname, query, headers: req.headers, body: Buffer.concat(chunks).toString() });
    reply(res);
  });
});
await new Promise<void>((resolve) => server.listen(socket, resolve));
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const client = new ApiClient(`unix://${socket}`);

/** Runs `fn` against the fake with `r` as its answer; returns what the fake saw. */
async function exchange<T>(r: Reply, fn: () => Promise<T>): Promise<{ got: T; req: Seen }> {
  seen.length = 0;
  reply = r;
  const got = await fn();
  assert.equal(seen.length, 1, 'one request');
  return { got, req: seen[0]! };
}

test('containers.list sends all, limit, size and the filters JSON; answers the list', async () => {
  const rows = [{ Id: 'abc', Names: ['/web'], Created: 1 }];
  const { got, req } = await exchange(
    (res) => json(res, 200, rows),
    () => client.containers.list({ all: true, limit: 3, size: false, filters: { label: { 'a=b': true }, status: { exited: true } } }),
  );
  assert.equal(req.method, 'GET');
  assert.equal(req.path, '/containers/json');
  assert.deepEqual(req.query, { all: ['1'], limit: ['3'], filters: ['{"label":{"a=b":true},"status":{"exited":true}}'] });
  assert.deepEqual(got, rows);
});

test('a versioned client prefixes every path with /vX.Y', async () => {
  const v = new ApiClient(`unix://${socket}`, '1.44');
  const { req } = await exchange((res) => json(res, 200, []), () => v.containers.list());
  assert.equal(req.path, '/v1.44/containers/json');
  assert.deepEqual(req.query, {});
});

test('container verbs: escaped names, the query docker sends, no body', async () => {
  let { req } = await exchange((res) => res.writeHead(204).end(), () => client.containers.stop('a b', { signal: 'SIGINT', t: '5' }));
  assert.deepEqual([req.method, req.path, req.query], ['POST', '/containers/a%20b/stop', { signal: ['SIGINT'], t: ['5'] }]);
  ({ req } = await exchange((res) => res.writeHead(204).end(), () => client.containers.remove('web', { force: true, volumes: true })));
  assert.deepEqual([req.method, req.path, req.query], ['DELETE', '/containers/web', { force: ['1'], v: ['1'] }]);
  ({ req } = await exchange((res) => res.writeHead(204).end(), () => client.containers.pause('web')));
  assert.deepEqual([req.method, req.path, req.query, req.body], ['POST', '/containers/web/pause', {}, '']);
  ({ req } = await exchange((res) => res.writeHead(200).end(), () => client.containers.resize('web', 40, 120)));
  assert.deepEqual(req.query, { h: ['40'], w: ['120'] });
});

test('containers.create sends name and platform in the query and the config as JSON', async () => {
  const body = { Image: 'busybox', Cmd: ['true'] };
  const { got, req } = await exchange(
    (res) => json(res, 201, { Id: 'c1', Warnings: [] }),
    () => client.containers.create(body, { name: 'web', platform: undefined }),
  );
  assert.deepEqual([req.method, req.path, req.query], ['POST', '/containers/create', { name: ['web'] }]);
  assert.equal(req.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(req.body), body);
  assert.equal(got.Id, 'c1');
});

test('containers.wait resolves with the decoded status once the body ends', async () => {
  const { got, req } = await exchange(
    (res) => json(res, 200, { StatusCode: 3, Error: null }),
    () => client.containers.wait('web', 'removed'),
  );
  assert.deepEqual([req.method, req.path, req.query], ['POST', '/containers/web/wait', { condition: ['removed'] }]);
  assert.deepEqual(await got.result, { StatusCode: 3, Error: null });
});

test('images.pull decodes the progress stream line by line, split chunks and UTF-8 included', async () => {
  const lines: JsonMessage[] = [
    { status: 'Pulling from library/busybox', id: 'latest' },
    { status: 'Downloading', id: 'a1', progressDetail: { current: 5, total: 10 } },
    { status: 'Status: Downloaded newer image for busybox:latest — ✓' },
  ];
  const text = Buffer.from(lines.map((l) => JSON.stringify(l)).join('\r\n') + '\n');
  const cut = text.indexOf(Buffer.from('✓')) + 1; // in the middle of a multi-byte character
  const { got, req } = await exchange(
    (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(text.subarray(0, cut));
      setTimeout(() => res.end(text.subarray(cut)), 20);
    },
    () => client.images.pull({ fromImage: 'busybox', tag: 'latest', auth: 'e30' }),
  );
  assert.deepEqual([req.method, req.path, req.query], ['POST', '/images/create', { fromImage: ['busybox'], tag: ['latest'] }]);
  assert.equal(req.headers['x-registry-auth'], 'e30');
  const messages: JsonMessage[] = [];
  for await (const m of got) messages.push(m);
  assert.deepEqual(messages, lines);
});

test('images: list filters, prune without empty filters, repeated query keys for save and commit', async () => {
  let { req } = await exchange((res) => json(res, 200, []), () => client.images.list({ all: true, filters: {} }));
  assert.deepEqual(req.query, { all: ['1'] });
  ({ req } = await exchange((res) => json(res, 200, { ImagesDeleted: null, SpaceReclaimed: 0 }), () => client.images.prune({ dangling: { false: true } })));
  assert.deepEqual([req.method, req.path, req.query], ['POST', '/images/prune', { filters: ['{"dangling":{"false":true}}'] }]);
  ({ req } = await exchange((res) => res.writeHead(200).end(), async () => (await client.images.save(['a', 'b:1'])).resume()));
  assert.deepEqual([req.path, req.query], ['/images/get', { names: ['a', 'b:1'] }]);
  ({ req } = await exchange((res) => json(res, 201, { Id: 'sha256:1' }), () => client.images.commit([['container', 'web'], ['changes', 'ENV A=1'], ['changes', 'USER x'], ['tag', undefined]])));
  assert.deepEqual([req.method, req.path, req.query], ['POST', '/commit', { container: ['web'], changes: ['ENV A=1', 'USER x'] }]);
  assert.deepEqual(JSON.parse(req.body), {});
});

test('images.inspect escapes a registry reference into one path segment', async () => {
  const { req } = await exchange((res) => json(res, 200, { Id: 'x' }), () => client.images.inspect('localhost:5000/busybox:1'));
  assert.equal(req.path, '/images/localhost%3A5000%2Fbusybox%3A1/json');
});

test('volumes and networks: create bodies, filters, verbose inspect, disconnect body', async () => {
  const created = await exchange(
    (res) => json(res, 201, { Name: 'data', Driver: 'local' }),
    () => client.volumes.create({ Name: 'data', Driver: 'local', Labels: { a: 'b' } }),
  );
  let { req } = created;
  assert.deepEqual([req.method, req.path, JSON.parse(req.body)], ['POST', '/volumes/create', { Name: 'data', Driver: 'local', Labels: { a: 'b' } }]);
  assert.equal(created.got.Name, 'data');
  ({ req } = await exchange((res) => json(res, 200, { Volumes: [] }), () => client.volumes.list({ dangling: { true: true } })));
  assert.deepEqual(req.query, { filters: ['{"dangling":{"true":true}}'] });
  ({ req } = await exchange((res) => json(res, 200, { Name: 'n' }), () => client.networks.inspect('n', { verbose: true })));
  assert.deepEqual([req.path, req.query], ['/networks/n', { verbose: ['true'] }]);
  ({ req } = await exchange((res) => res.writeHead(200).end(), () => client.networks.disconnect('n', 'web', false)));
  assert.deepEqual([req.path, JSON.parse(req.body)], ['/networks/n/disconnect', { Container: 'web', Force: false }]);
});

test('berth extensions: restore streams the archive with its type, gate streams the outcome', async () => {
  const archive = new PassThrough();
  archive.end('zstd-bytes');
  const { got, req } = await exchange(
    (res) => json(res, 200, { Id: 'r1', Name: '/web', Warnings: [], CreatedVolumes: [], CreatedNetworks: [] }),
    () => client.berth.restore([['start', 'true'], ['name', undefined]], archive),
  );
  assert.deepEqual([req.method, req.path, req.query, req.body], ['POST', '/berth/v1/restore', { start: ['true'] }, 'zstd-bytes']);
  assert.equal(req.headers['content-type'], 'application/zstd');
  assert.equal(got.Id, 'r1');
  const gate = await exchange(
    (res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"Pulling"}\n{"status":"upgraded","result":"upgraded","revision":2}\n');
    },
    () => client.berth.gate('web', 'upgrade', { order: 'stop-first', dryRun: true, probe: undefined }),
  );
  assert.deepEqual([gate.req.path, gate.req.query], ['/berth/v1/containers/web/upgrade', { order: ['stop-first'], dryRun: ['1'] }]);
  const results = [];
  for await (const m of gate.got) results.push(m.result);
  assert.deepEqual(results, [undefined, 'upgraded']);
});

test('an error status becomes ApiError with the daemon message; a missing socket a ConnectionError', async () => {
  seen.length = 0;
  reply = (res) => json(res, 404, { message: 'No such container: nope' });
  await assert.rejects(client.containers.inspect('nope'), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 404);
    assert.equal(err.message, 'No such container: nope');
    return true;
  });
  reply = (res) => {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('plain failure\n');
  };
  await assert.rejects(client.images.pull({ fromImage: 'x' }), { name: 'Error', message: 'plain failure', status: 500 });
  const gone = new ApiClient(`unix://${join(dir, 'missing.sock')}`);
  await assert.rejects(gone.system.ping(), (err: unknown) => err instanceof ConnectionError && /Is the berth daemon running\?/.test(err.message));
});
