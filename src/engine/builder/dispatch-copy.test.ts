import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import tar from 'tar-stream';
import { BUILD_CONTEXT_LIMITS } from '../../common/archive/limits.js';
import { BASE, build, fakeDeps, historyOf } from './testing/build-harness.js';

// COPY and ADD over the fakes: where files land, their mode and owner, archives and URLs, the
// history and cache key, the Dockerfile and .dockerignore leaving the context.

const served = Buffer.from('downloaded body\n');
const server = createServer((req, res) => {
  if (req.url === '/missing') {
    res.writeHead(404, 'Not Found');
    res.end('nothing here\n');
    return;
  }
  res.writeHead(200, { 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT' });
  res.end(served);
});
let url = '';
before(async () => {
  // A port of this suite's own range, so parallel suites do not meet.
  await new Promise<void>((resolve) => server.listen(21231, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('COPY: a file, into an existing directory, a directory by its contents, a glob into dir/, relative to WORKDIR', async () => {
  const d = fakeDeps();
  const r = await build(d, {
    Dockerfile: `FROM ${BASE}\nCOPY one.txt /etc\nCOPY tree /t/\nWORKDIR /w\nCOPY *.md docs/\nCOPY one.txt renamed\n`,
    'one.txt': '1',
    'tree/a/b.txt': 'b',
    'x.md': 'x',
    'y.md': 'y',
  });
  const f = d.images.files.get(r.id)!;
  assert.equal(f.get('/etc/one.txt')?.data.toString(), '1');
  assert.equal(f.get('/t/a/b.txt')?.data.toString(), 'b');
  assert.equal(f.get('/w/docs/x.md')?.data.toString(), 'x');
  assert.equal(f.get('/w/docs/y.md')?.data.toString(), 'y');
  assert.equal(f.get('/w/renamed')?.data.toString(), '1');
  const copies = historyOf(r.image).filter((h) => h.includes('COPY'));
  assert.match(copies[0]!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/etc $/);
  assert.match(copies[1]!, /^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \/t\/ $/);
  assert.match(copies[2]!, /^\/bin\/sh -c #\(nop\) COPY multi:[0-9a-f]{64} in docs\/ $/);
});

test('COPY --chmod sets the mode of what it copies, --chown is the owner the archive is put with; both are in the cache key', async () => {
  const d = fakeDeps();
  const r = await build(d, { Dockerfile: `FROM ${BASE}\nCOPY --chmod=600 --chown=1:2 s.txt /s/\nCOPY s.txt /plain\n`, 's.txt': 's' });
  const f = d.images.files.get(r.id)!;
  assert.equal(f.get('/s/s.txt')!.mode & 0o777, 0o600);
  assert.equal(f.get('/s/s.txt')!.owner, '1:2');
  assert.equal(f.get('/plain')!.owner, '0:0');
  const [chmodded, plain] = historyOf(r.image).map((h) => /:([0-9a-f]{64}) /.exec(h)?.[1]);
  assert.notEqual(chmodded, plain);
});

test('ADD extracts a local archive at the destination, within the context limits; COPY copies it as it is', async () => {
  const pack = tar.pack();
  pack.entry({ name: 'inside/file.txt' }, 'from the archive');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  const d = fakeDeps();
  const r = await build(d, { Dockerfile: `FROM ${BASE}\nADD a.tar /x\nCOPY a.tar /y/\n`, 'a.tar': Buffer.concat(chunks) });
  const f = d.images.files.get(r.id)!;
  assert.equal(f.get('/x/inside/file.txt')?.data.toString(), 'from the archive');
  assert.equal(f.get('/y/a.tar')?.type, 'file');
  assert.ok(d.archive.puts.some((p) => p.path === '/x' && p.limits === BUILD_CONTEXT_LIMITS));
});

test('ADD <url>: downloaded by the builder, mode 0600, never extracted; a checksum is checked; a 404 fails', async () => {
  const d = fakeDeps();
  const r = await build(d, { Dockerfile: `FROM ${BASE}\nADD ${url}/files/got.txt /dl/\n` });
  const got = d.images.files.get(r.id)!.get('/dl/got.txt')!;
  assert.equal(got.data.toString(), served.toString());
  assert.equal(got.mode & 0o777, 0o600);
  const sum = `sha256:${createHash('sha256').update(served).digest('hex')}`;
  await build(d, { Dockerfile: `FROM ${BASE}\nADD --checksum=${sum} ${url}/got.txt /g\n` });
  await assert.rejects(build(d, { Dockerfile: `FROM ${BASE}\nADD --checksum=sha256:00 ${url}/got.txt /g\n` }), { message: `digest mismatch ${sum}: sha256:00` });
  await assert.rejects(build(d, { Dockerfile: `FROM ${BASE}\nADD ${url}/missing /g\n` }), { message: `failed to GET ${url}/missing with status 404 Not Found: nothing here` });
});

test('.dockerignore naming the Dockerfile and itself takes them out of the context COPY sees (the client filtered the rest)', async () => {
  const d = fakeDeps();
  const r = await build(d, { Dockerfile: `FROM ${BASE}\nCOPY . /ctx/\n`, '.dockerignore': 'Dockerfile\n.dockerignore\n', 'keep.txt': 'k' });
  const names = [...d.images.files.get(r.id)!.keys()].filter((k) => k.startsWith('/ctx/')).sort();
  assert.deepEqual(names, ['/ctx/keep.txt']);
  const kept = await build(d, { Dockerfile: `FROM ${BASE}\nCOPY . /ctx/\n`, '.dockerignore': '*.tmp\n', 'keep.txt': 'k' });
  const all = [...d.images.files.get(kept.id)!.keys()].filter((k) => k.startsWith('/ctx/')).sort();
  assert.deepEqual(all, ['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/keep.txt']);
});
