import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { IMAGES, PLAIN } from '../fixtures/registries.js';
import { bombCases, hostileCorpus, makeMarker, tarOf, type HostileCase, type Limits, type Marker } from '../fixtures/hostile-archives.js';
import { TEST_DATA_ROOT, TEST_SOCKET } from '../helpers/daemon.js';
import { BUILD_CONTEXT_LIMITS, IMPORT_LIMITS, LOAD_LIMITS } from '../../src/common/archive/limits.js';

// The hostile-archive corpus against every archive entry point of the live daemon: load, import,
// PUT archive (stopped and running containers), build context, ADD of a local archive, a pull of
// hostile layers pushed to the fixture registry, volume import and backup restore. After each archive: the marker directory
// on the host is untouched, nothing named after it appeared outside a root, the answer is no
// 5xx (nor an internal error inside a stream), and the daemon still answers.

// The daemon's bounds, as the extractor's callers pass them.
const LOAD: Limits = LOAD_LIMITS;
const IMPORT: Limits = IMPORT_LIMITS;
const BUILD: Limits = BUILD_CONTEXT_LIMITS;

const busybox = `${PLAIN}/${IMAGES.busybox}`;
const repo = `hostile-${randomBytes(5).toString('hex')}`;
/** How many cases the corpus holds (each test makes them again, aimed at a fresh marker each). */
const CASES = (() => {
  const m = makeMarker();
  try {
    return hostileCorpus(m).length;
  } finally {
    m.remove();
  }
})();
const cleanups: (() => Promise<unknown>)[] = [];

interface Reply {
  status: number;
  body: string;
}

function request(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: TEST_SOCKET, method, path, headers: { ...(body ? { 'Content-Type': 'application/x-tar', 'Content-Length': String(body.length) } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // A hang is a failure too (a truncated stream must end in an error).
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path}: no answer in 120 s`)));
    req.end(body);
  });
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await request(method, path, body === undefined ? undefined : Buffer.from(JSON.stringify(body)), { 'Content-Type': 'application/json' });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.body}`);
  return (r.body ? JSON.parse(r.body) : {}) as T;
}

/** Error messages of an NDJSON progress stream. */
function streamErrors(body: string): string[] {
  return body
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as { error?: string })
    .filter((m) => m.error !== undefined)
    .map((m) => m.error!);
}

/** What an internal error (a 500 in disguise) looks like: JavaScript or errno internals. */
const INTERNAL = /\bE[A-Z]{4,}\b|Unexpected end of data|is not a function|Cannot read prop|undefined|Internal|uncaught/;

/** Names carrying the marker's token outside of any root: in /tmp, or shallow in the data root. */
function strays(marker: Marker): string[] {
  const out = findNames(['/tmp', '/', '-maxdepth', '1', '-name', `*${marker.token}*`, '!', '-path', marker.dir]);
  const data = findNames([TEST_DATA_ROOT, '-maxdepth', '3', '-name', `*${marker.token}*`]);
  return [out, data].filter(Boolean);
}

/** find's matches; a scratch directory that vanishes while find walks past it is not an error. */
function findNames(args: string[]): string {
  const r = spawnSync('find', args, { encoding: 'utf8' });
  const real = r.stderr.split('\n').filter((l) => l && !/No such file or directory$/.test(l));
  if (r.status !== 0 && real.length) throw new Error(`find ${args.join(' ')}: ${real.join('; ')}`);
  return r.stdout.trim();
}

async function assertUnharmed(marker: Marker, c: HostileCase, r: Reply, o: { stream: boolean; mustFail: boolean }): Promise<void> {
  assert.deepEqual(marker.damage(), [], `${c.name}: the host marker was written`);
  assert.deepEqual(strays(marker), [], `${c.name}: files appeared outside the root`);
  assert.ok(r.status < 500, `${c.name}: answered ${r.status} ${r.body.slice(0, 300)}`);
  const errors = o.stream && r.status < 300 ? streamErrors(r.body) : r.status >= 400 ? [r.body] : [];
  for (const e of errors) assert.doesNotMatch(e, INTERNAL, `${c.name}: internal error for a client fault`);
  if (o.mustFail && c.refused) assert.ok(errors.length > 0, `${c.name}: not refused (${r.status} ${r.body.slice(0, 200)})`);
  const ping = await request('GET', '/_ping');
  assert.equal(ping.status, 200, `${c.name}: the daemon no longer answers`);
}

before(async () => {
  const r = await request('POST', `/images/create?fromImage=${encodeURIComponent(busybox)}`);
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(streamErrors(r.body), []);
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/**
 * Runs `check` for every case of the corpus, each aimed at a marker of its own (so a case is
 * judged alone), then for the bombs past `limits` when the entry point is bounded.
 */
async function eachCase(t: TestContext, limits: Limits | undefined, check: (c: HostileCase, marker: Marker, i: number) => Promise<void>): Promise<void> {
  const bombs = limits ? await bombCases(limits) : [];
  for (let i = 0; i < CASES + bombs.length; i++) {
    const marker = makeMarker();
    const c = i < CASES ? hostileCorpus(marker)[i]! : bombs[i - CASES]!;
    try {
      await t.test(c.name, () => check(c, marker, i));
    } finally {
      marker.remove();
      // Only an extractor that failed leaves these; never leave them on the host.
      execFileSync('sh', ['-c', `rm -rf /tmp/${marker.token}-* /${marker.token}*`]);
    }
  }
}

test('POST /images/load', async (t) => {
  await eachCase(t, LOAD, async (c, marker) => {
    const r = await request('POST', '/images/load?quiet=1', c.archive);
    // None of them holds an image: every one ends in an error, reported in the stream as dockerd does.
    await assertUnharmed(marker, c, r, { stream: true, mustFail: true });
    assert.ok(r.status >= 400 || streamErrors(r.body).length > 0, `${c.name}: loaded`);
  });
});

test('POST /images/create?fromSrc=- (import)', async (t) => {
  await eachCase(t, IMPORT, async (c, marker, i) => {
    const tag = `imp${i}`;
    cleanups.push(() => request('DELETE', `/images/${repo}:${tag}?force=1`));
    const r = await request('POST', `/images/create?fromSrc=-&repo=${repo}&tag=${tag}`, c.archive);
    await assertUnharmed(marker, c, r, { stream: true, mustFail: true });
  });
});

async function putArchiveCases(t: TestContext, running: boolean): Promise<void> {
  const { Id: id } = await json<{ Id: string }>('POST', '/containers/create', { Image: busybox, Cmd: ['sleep', '600'] });
  cleanups.push(() => request('DELETE', `/containers/${id}?force=1`));
  if (running) await json('POST', `/containers/${id}/start`);
  await eachCase(t, undefined, async (c, marker) => {
    const r = await request('PUT', `/containers/${id}/archive?path=/tmp`, c.archive);
    await assertUnharmed(marker, c, r, { stream: false, mustFail: true });
  });
  // The container itself is intact: its /etc/passwd still is busybox's.
  if (running) {
    const ex = await json<{ Id: string }>('POST', `/containers/${id}/exec`, { Cmd: ['head', '-c', '4', '/etc/passwd'], AttachStdout: true });
    const out = await request('POST', `/exec/${ex.Id}/start`, Buffer.from('{"Detach":false}'), { 'Content-Type': 'application/json' });
    assert.match(out.body, /root/);
  }
}

test('PUT /containers/{id}/archive (stopped container)', async (t) => {
  await putArchiveCases(t, false);
});

test('PUT /containers/{id}/archive (running container)', async (t) => {
  await putArchiveCases(t, true);
});

test('POST /build (the context)', async (t) => {
  await eachCase(t, BUILD, async (c, marker) => {
    const r = await request('POST', `/build?rm=1&forcerm=1`, c.archive);
    // None has a Dockerfile: all end in an error.
    await assertUnharmed(marker, c, r, { stream: true, mustFail: true });
    assert.ok(r.status >= 400 || streamErrors(r.body).length > 0, `${c.name}: built`);
  });
});

test('POST /build (ADD of a local archive)', async (t) => {
  await eachCase(t, BUILD, async (c, marker, i) => {
    const tag = `add${i}`;
    cleanups.push(() => request('DELETE', `/images/${repo}:${tag}?force=1`));
    const context = tarOf([
      { name: 'Dockerfile', body: `FROM ${busybox}\nADD evil /x/\n` },
      { name: 'evil', body: c.archive },
    ]);
    const r = await request('POST', `/build?rm=1&forcerm=1&t=${repo}:${tag}`, context);
    // What is not an archive to ADD (garbage) is copied as a file: not every case fails here.
    await assertUnharmed(marker, c, r, { stream: true, mustFail: false });
  });
});

/** Pushes a one-layer image whose layer is `layer` to the fixture registry; returns its reference. */
async function pushHostile(tag: string, layer: Buffer): Promise<string> {
  const base = `http://${PLAIN}/v2/${repo}`;
  const digest = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
  const upload = async (b: Buffer) => {
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const loc = new URL(start.headers.get('location')!, `http://${PLAIN}`);
    loc.searchParams.set('digest', digest(b));
    const put = await fetch(loc, { method: 'PUT', body: new Uint8Array(b), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(put.status, 201, await put.text());
  };
  const kind = layer[0] === 0x1f && layer[1] === 0x8b ? '+gzip' : layer.readUInt32LE(0) === 0xfd2fb528 ? '+zstd' : '';
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [digest(layer)] } }));
  await upload(layer);
  await upload(config);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
    layers: [{ mediaType: `application/vnd.oci.image.layer.v1.tar${kind}`, digest: digest(layer), size: layer.length }],
  };
  const put = await fetch(`${base}/manifests/${tag}`, { method: 'PUT', body: JSON.stringify(manifest), headers: { 'Content-Type': manifest.mediaType } });
  assert.equal(put.status, 201, await put.text());
  return `${PLAIN}/${repo}:${tag}`;
}

test('layers: a pull of hostile layers from a registry', async (t) => {
  await eachCase(t, undefined, async (c, marker, i) => {
    const ref = await pushHostile(`layer${i}`, c.archive);
    cleanups.push(() => request('DELETE', `/images/${encodeURIComponent(ref)}?force=1`));
    const r = await request('POST', `/images/create?fromImage=${encodeURIComponent(ref)}`);
    await assertUnharmed(marker, c, r, { stream: true, mustFail: true });
    // A refused layer leaves no download behind (its source is closed before the ingest is dropped).
    const hex = createHash('sha256').update(c.archive).digest('hex');
    assert.ok(!existsSync(join(TEST_DATA_ROOT, 'content', 'ingest', `sha256-${hex}`)), `${c.name}: its download stayed in ingest`);
  });
});

test('POST /berth/v1/volumes/{name}/import', async (t) => {
  const name = `hostile-vol-${randomBytes(4).toString('hex')}`;
  await json('POST', '/volumes/create', { Name: name });
  cleanups.push(() => request('DELETE', `/volumes/${name}?force=1`));
  // The corpus only, as for PUT archive: the bombs are far past a volume's bounds (unit-tested with small ones).
  await eachCase(t, undefined, async (c, marker) => {
    const r = await request('POST', `/berth/v1/volumes/${name}/import`, c.archive);
    await assertUnharmed(marker, c, r, { stream: false, mustFail: true });
  });
});

test('POST /berth/v1/restore', async (t) => {
  await eachCase(t, undefined, async (c, marker) => {
    const r = await request('POST', '/berth/v1/restore', c.archive);
    await assertUnharmed(marker, c, r, { stream: false, mustFail: true });
    // None is a backup (none has a manifest): every one is refused, nothing restored.
    assert.ok(r.status >= 400, `${c.name}: restored (${r.status} ${r.body.slice(0, 200)})`);
  });
  const left = execFileSync('find', [TEST_DATA_ROOT, '-maxdepth', '3', '-name', 'restore-*'], { encoding: 'utf8' }).trim();
  assert.equal(left, '', 'restore left its scratch directories');
});
