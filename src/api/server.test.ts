import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, ApiError, readAll, readJsonLines } from '../../test/helpers/raw-client.js';
import { InvalidArgumentError, NotFoundError } from '../common/errors.js';
import { EventBus } from '../engine/events/event-bus.js';
import { FrameDecoder } from './streams/multiplexed.js';
import { hijack } from './streams/hijack.js';
import { NdjsonStream } from './streams/ndjson.js';
import { Router } from './router.js';
import { registerSystemRoutes } from './routes/system.js';
import { serveRouterForTests } from './testing/router-server.js';

const events = new EventBus();

const socket = serveRouterForTests('berth-api-', () => {
  const router = new Router();
  registerSystemRoutes(router, { version: () => ({ Version: 'test' }), info: async () => ({ ID: 'x' }), events });
  router.post('/echo', async (ctx) => ({ got: await ctx.json() }));
  router.get('/missing/{name}', (ctx) => {
    throw new NotFoundError(`No such container: ${ctx.param('name')}`);
  });
  router.get('/boom', () => {
    throw new Error('kaput');
  });
  router.get('/images/{name:.*}/json', (ctx) => ({ name: ctx.param('name') }));
  router.get('/progress', (ctx) => {
    const s = new NdjsonStream(ctx.res!);
    ctx.handled = true;
    s.write({ status: 'one' });
    s.writeError('went wrong');
    s.end();
  });
  router.post('/attach', async (ctx) => {
    const body = await ctx.json();
    const h = hijack(ctx, { multiplexed: true });
    h.write(1, Buffer.from(`body=${JSON.stringify(body)}\n`));
    h.input!.once('data', (d: Buffer) => {
      h.write(2, Buffer.from(`echo:${d.toString()}`));
      h.end();
    });
  });
  router.get('/bad', () => {
    throw new InvalidArgumentError('nope');
  });
  return router;
});

const client = () => new ApiClient(`unix://${socket()}`);

test('_ping answers OK with Docker headers, also for HEAD', async () => {
  for (const method of ['GET', 'HEAD']) {
    const res = await client().request(method, '/_ping');
    const body = (await readAll(res)).toString();
    assert.equal(res.statusCode, 200);
    assert.equal(body, method === 'GET' ? 'OK' : '');
    assert.equal(res.headers['api-version'], '1.51');
    assert.equal(res.headers['ostype'], 'linux');
    assert.equal(res.headers['swarm'], 'inactive');
    assert.equal(res.headers['cache-control'], 'no-cache, no-store, must-revalidate');
    assert.match(String(res.headers['server']), /^berth\//);
  }
});

test('versioned paths within 1.24..1.51 work; outside get Docker\'s 400 message', async () => {
  assert.deepEqual(await new ApiClient(`unix://${socket()}`, '1.24').call('GET', '/version'), { Version: 'test' });
  assert.deepEqual(await new ApiClient(`unix://${socket()}`, '1.51').call('GET', '/version'), { Version: 'test' });
  await assert.rejects(new ApiClient(`unix://${socket()}`, '1.23').call('GET', '/version'), (e: ApiError) => {
    assert.equal(e.status, 400);
    assert.equal(e.message, 'client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version');
    return true;
  });
  await assert.rejects(new ApiClient(`unix://${socket()}`, '1.52').call('GET', '/version'), (e: ApiError) => {
    assert.equal(e.status, 400);
    assert.equal(e.message, 'client version 1.52 is too new. Maximum supported API version is 1.51');
    return true;
  });
});

test('errors map to statuses with a JSON message and the server stays up', async () => {
  const cases: [string, number, string][] = [
    ['/nowhere', 404, 'page not found'],
    ['/missing/abc', 404, 'No such container: abc'],
    ['/bad', 400, 'nope'],
    ['/version?filters=%zz', 400, 'invalid URL escape "%zz"'],
    ['/missing/%E0%A4%A', 400, 'invalid URL escape "%A"'],
  ];
  for (const [path, status, message] of cases) {
    const res = await client().request('GET', path);
    assert.equal(res.statusCode, status, path);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse((await readAll(res)).toString()), { message });
  }
  // An error berth did not mean (a bug, a JavaScript TypeError) is a 500 without its internals.
  const boom = await client().request('GET', '/boom');
  assert.equal(boom.statusCode, 500);
  const { message } = JSON.parse((await readAll(boom)).toString());
  assert.doesNotMatch(message, /kaput/);
  assert.match(message, /^internal error in berthd \(error id [0-9a-f]+;/);
  assert.equal((await client().call('GET', '/version')).Version, 'test');
});

test('malformed JSON is a 400 and oversized bodies a 413', async () => {
  const bad = await client().request('POST', '/echo', { rawBody: Buffer.from('{"a":'), headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.statusCode, 400);
  assert.match(JSON.parse((await readAll(bad)).toString()).message, /^invalid JSON/);
  const big = await client().request('POST', '/echo', { rawBody: Buffer.alloc(5 * 1024 * 1024, 0x20) });
  assert.equal(big.statusCode, 413);
  await readAll(big);
  assert.deepEqual(await client().call('POST', '/echo', { body: { a: 1 } }), { got: { a: 1 } });
});

test('image names with slashes and colons reach {name:.*}', async () => {
  assert.deepEqual(await client().call('GET', '/images/localhost:5000/a/b:tag/json'), { name: 'localhost:5000/a/b:tag' });
});

test('NDJSON progress carries errorDetail and the legacy error field', async () => {
  const res = await client().stream('GET', '/progress');
  const lines = [];
  for await (const l of readJsonLines(res)) lines.push(l);
  assert.deepEqual(lines, [{ status: 'one' }, { errorDetail: { message: 'went wrong' }, error: 'went wrong' }]);
});

test('hijack: 101 UPGRADED, body read before the stream, stdin in and framed output out', async () => {
  const { socket, contentType } = await client().hijack('/attach', { body: { Detach: false } });
  assert.equal(contentType, 'application/vnd.docker.multiplexed-stream');
  const dec = new FrameDecoder();
  const frames: [number, string][] = [];
  socket.on('data', (d: Buffer) => dec.push(d).forEach((f) => frames.push([f.stream, f.payload.toString()])));
  socket.write('hi');
  await new Promise((r) => socket.on('end', r));
  assert.deepEqual(frames, [
    [1, 'body={"Detach":false}\n'],
    [2, 'echo:hi'],
  ]);
});

test('events stream replays history since a time and filters by type', async () => {
  const start = Date.now() / 1000 - 1;
  events.emit({ Type: 'container', Action: 'create', Actor: { ID: 'c1', Attributes: { name: 'web', image: 'busybox' } } });
  events.emit({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox:latest' } });
  const until = Date.now() / 1000 + 0.2;
  const res = await client().stream('GET', '/events', {
    query: { since: String(start), until: until.toFixed(3), filters: { type: ['container'] } },
  });
  const got = [];
  for await (const e of readJsonLines(res)) got.push(e);
  assert.equal(got.length, 1);
  assert.equal(got[0].Action, 'create');
  assert.equal(got[0].status, 'create');
  assert.equal(got[0].from, 'busybox');
  assert.equal(got[0].Actor.Attributes.name, 'web');
});

test('swarm endpoints answer 503 as on an unjoined dockerd; plugins is an empty list', async () => {
  await assert.rejects(client().call('GET', '/swarm'), (e: ApiError) => e.status === 503 && /not a swarm manager/.test(e.message));
  assert.deepEqual(await client().call('GET', '/plugins'), []);
});
