import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readJsonLines, type ApiError } from '../helpers/raw-client.js';
import { spawn, spawnSync } from 'node:child_process';
import { api, berth, docker, run, TEST_HOST } from '../helpers/daemon.js';

// The classic builder through the API (as docker-py drives it), `berth build` and the real
// docker CLI's legacy builder: multi-stage, cache, args, labels, target, .dockerignore, failures.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const dir = mkdtempSync(join(tmpdir(), 'berth-build-'));
const tag = `berth-build-test-${process.pid}`;
const images: string[] = [];

before(async () => {
  const res = await api().stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(join(dir, 'sub', 'n.txt'), 'nested\n');
  writeFileSync(join(dir, 'secret.tmp'), 'do not send\n');
  writeFileSync(join(dir, '.dockerignore'), '*.tmp\n');
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      `FROM ${BUSYBOX} AS base`,
      'ARG GREETING=hi',
      'ENV APP=/app MSG="two words"',
      'WORKDIR $APP',
      'COPY hello.txt ./',
      'COPY sub /app/sub/',
      'COPY sub/n.txt /app',
      'RUN echo "$GREETING $MSG" > out.txt && echo to-stderr >&2',
      'FROM base AS final',
      'COPY --from=base /app/out.txt /final.txt',
      'EXPOSE 8080',
      'CMD ["cat", "/final.txt"]',
    ].join('\n'),
  );
});

after(async () => {
  for (const i of images) await api().call('DELETE', `/images/${i}`, { query: { force: '1' } }).catch(() => undefined);
  await api().call('POST', '/images/prune', { query: { filters: JSON.stringify({ dangling: ['true'] }) } }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function apiBuild(context: Buffer, query: Record<string, string>): Promise<Record<string, any>[]> {
  const res = await api().stream('POST', '/build', { query, rawBody: context, headers: { 'Content-Type': 'application/x-tar' } });
  assert.equal(res.statusCode, 200);
  const out: Record<string, any>[] = [];
  for await (const m of readJsonLines(res)) out.push(m);
  return out;
}

test('berth build: multi-stage with args, env, workdir, COPY --from; the image runs; a rebuild uses the cache', async () => {
  images.push(`${tag}:1`);
  const b = await berth('build', '-t', `${tag}:1`, '--build-arg', 'GREETING=yo', '--label', 'suite=build', dir);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /^Step 1\/13 : FROM .* AS base$/m);
  assert.match(b.stdout, /^Step 13\/13 : LABEL "suite"="build"$/m);
  assert.match(b.stdout, /\x1b\[91mto-stderr\n\x1b\[0m/);
  assert.match(b.stdout, /Successfully tagged berth-build-test-\d+:1/);
  assert.equal((await berth('run', '--rm', `${tag}:1`)).stdout, 'yo two words\n');
  const ls = await berth('run', '--rm', `${tag}:1`, 'sh', '-c', 'ls /app /app/sub; echo $MSG; pwd');
  // `COPY sub/n.txt /app` puts the file inside the existing /app directory, as dockerd does.
  assert.equal(ls.stdout, '/app:\nhello.txt\nn.txt\nout.txt\nsub\n\n/app/sub:\nn.txt\ntwo words\n/app\n');
  const info = await api().call('GET', `/images/${tag}:1/json`);
  assert.deepEqual(info.Config.Cmd, ['cat', '/final.txt']);
  assert.deepEqual(info.Config.ExposedPorts, { '8080/tcp': {} });
  assert.equal(info.Config.Labels.suite, 'build');
  const again = await berth('build', '-t', `${tag}:1`, '--build-arg', 'GREETING=yo', '--label', 'suite=build', dir);
  assert.equal((again.stdout.match(/Using cache/g) ?? []).length, 11);
  const ignored = await berth('run', '--rm', `${tag}:1`, 'ls', '/app');
  assert.doesNotMatch(ignored.stdout, /secret/);
});

test('the API: a failing RUN is an error in the stream with its code; a missing Dockerfile is a 400; --target stops early', async () => {
  writeFileSync(join(dir, 'Dockerfile.fail'), `FROM ${BUSYBOX}\nRUN echo before; exit 3\n`);
  const buf = await tarOf(dir);
  const msgs = await apiBuild(buf, { dockerfile: 'Dockerfile.fail' });
  const err = msgs.find((m) => m.error);
  assert.equal(err?.error, "The command '/bin/sh -c echo before; exit 3' returned a non-zero code: 3");
  assert.equal(err?.errorDetail.code, 3);
  assert.ok(msgs.some((m) => m.stream === 'before\n'));
  await assert.rejects(
    api().stream('POST', '/build', { query: { dockerfile: 'Nope' }, rawBody: buf, headers: { 'Content-Type': 'application/x-tar' } }),
    (e: ApiError) => e.status === 400 && e.message === 'Cannot locate specified Dockerfile: Nope',
  );
  images.push(`${tag}:base`);
  const target = await apiBuild(buf, { t: `${tag}:base`, target: 'base' });
  assert.ok(target.some((m) => m.aux?.ID));
  assert.ok(!target.some((m) => /COPY --from/.test(m.stream ?? '')));
});

test('the docker CLI builds with the legacy builder against berthd', async () => {
  images.push(`${tag}:docker`);
  const r = await run('/usr/local/bin/docker', ['-H', TEST_HOST, 'build', '-t', `${tag}:docker`, dir], { env: { DOCKER_BUILDKIT: '0' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Successfully tagged/);
  assert.equal((await docker('run', '--rm', `${tag}:docker`)).stdout, 'hi two words\n');
});

test('FROM scratch, --chmod, labels on the --target stage, parse errors before the stream, empty layers, an xz context', async () => {
  const sub = join(dir, 'more');
  mkdirSync(sub);
  writeFileSync(join(sub, 'a.txt'), 'A\n');
  writeFileSync(join(sub, 'Dockerfile.scratch'), 'FROM scratch\nCOPY --chmod=600 a.txt /\nWORKDIR /w\nCMD ["x"]\n');
  images.push(`${tag}:scratch`);
  const scratch = await berth('build', '-q', '-t', `${tag}:scratch`, '-f', join(sub, 'Dockerfile.scratch'), sub);
  assert.equal(scratch.code, 0, scratch.stderr);
  const sinfo = await api().call('GET', `/images/${tag}:scratch/json`);
  assert.equal(sinfo.RootFS.Layers.length, 2); // COPY, and WORKDIR's new directory
  const ctr = await api().call('POST', '/containers/create', { body: { Image: `${tag}:scratch` } });
  const head = await api().stream('GET', `/containers/${ctr.Id}/archive`, { query: { path: '/a.txt' } });
  head.resume();
  const stat = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString());
  await api().call('DELETE', `/containers/${ctr.Id}`);
  assert.equal(stat.mode & 0o777, 0o600);

  // A parse error is a 400 with dockerd's wording, before any step runs.
  const bad = await tarBuffer({ Dockerfile: `FROM ${BUSYBOX}\nRUN true\nCOP a b\n` });
  await assert.rejects(
    api().stream('POST', '/build', { rawBody: bad, headers: { 'Content-Type': 'application/x-tar' } }),
    (e: ApiError) => e.status === 400 && e.message === 'dockerfile parse error on line 3: unknown instruction: COP',
  );

  // --label lands on the target stage; the steps after it are not counted; a no-op RUN adds no layer.
  const staged = await tarBuffer({ Dockerfile: `FROM ${BUSYBOX} AS one\nRUN true\nFROM one\nRUN exit 1\n` }, 'xz');
  images.push(`${tag}:one`);
  const msgs = await apiBuild(staged, { t: `${tag}:one`, target: 'one', nocache: '1', labels: JSON.stringify({ stage: 'one' }) });
  assert.deepEqual(
    msgs.filter((m) => m.stream?.startsWith('Step')).map((m) => m.stream),
    [`Step 1/3 : FROM ${BUSYBOX} AS one\n`, 'Step 2/3 : RUN true\n', 'Step 3/3 : LABEL "stage"="one"\n'],
  );
  const one = await api().call('GET', `/images/${tag}:one/json`);
  const base = await api().call('GET', `/images/${BUSYBOX}/json`);
  assert.equal(one.Config.Labels.stage, 'one');
  assert.deepEqual(one.RootFS.Layers, base.RootFS.Layers);
  const history = await api().call('GET', `/images/${tag}:one/history`);
  assert.equal(history[1].CreatedBy, '/bin/sh -c true');

  // q=1: only the id on success; the held output comes with the error.
  const failing = await tarBuffer({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo held; exit 4\n` });
  const quiet = await apiBuild(failing, { q: '1' });
  assert.ok(quiet.some((m) => m.stream === 'held\n'));
  assert.equal(quiet.at(-1)?.errorDetail?.code, 4);
});

test('a client that hangs up cancels the build: the running step is killed and its container removed', async () => {
  const ctx = await tarBuffer({ Dockerfile: `FROM ${BUSYBOX}\nRUN echo started; sleep 600\n` });
  const res = await api().stream('POST', '/build', { query: { nocache: '1' }, rawBody: ctx, headers: { 'Content-Type': 'application/x-tar' } });
  let cid = '';
  for await (const m of readJsonLines(res)) {
    cid = /Running in ([0-9a-f]{12})/.exec(m.stream ?? '')?.[1] ?? cid;
    if (m.stream === 'started\n') break;
  }
  assert.ok(cid);
  res.destroy();
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) {
    await new Promise((r) => setTimeout(r, 200));
    gone = (await api().call('GET', '/containers/json', { query: { all: '1', filters: JSON.stringify({ id: [cid] }) } })).length === 0;
  }
  assert.ok(gone, `build container ${cid} is still there`);
});

test('ADD <url> downloads through the daemon (here from the local registry), mode 0600, never extracted', async () => {
  const url = 'http://127.0.0.1:5000/v2/library/busybox/tags/list';
  const ctx = await tarBuffer({ Dockerfile: `FROM ${BUSYBOX}\nADD ${url} /dl/\nRUN stat -c '%a %n' /dl/list && cat /dl/list\n` });
  const msgs = await apiBuild(ctx, { nocache: '1' });
  const out = msgs.map((m) => m.stream ?? '').join('');
  assert.match(out, /^600 \/dl\/list$/m);
  assert.match(out, /"name":"library\/busybox"/);
  const bad = await apiBuild(await tarBuffer({ Dockerfile: `FROM ${BUSYBOX}\nCOPY ${url} /x\n` }), {});
  assert.equal(bad.at(-1)?.error, "source can't be a URL for COPY");
});

async function tarBuffer(files: Record<string, string>, compress?: 'xz'): Promise<Buffer> {
  const d = mkdtempSync(join(tmpdir(), 'berth-build-ctx-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
    const plain = await tarOf(d);
    if (!compress) return plain;
    const r = spawnSync('xz', ['-c'], { input: plain });
    return r.stdout;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

function tarOf(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn('tar', ['-C', path, '-cf', '-', '.']);
    const chunks: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.on('error', reject);
    p.on('close', () => resolve(Buffer.concat(chunks)));
  });
}
