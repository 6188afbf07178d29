import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readJsonLines, type ApiError } from '../../src/client/api-client.js';
import { spawn } from 'node:child_process';
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

function tarOf(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn('tar', ['-C', path, '-cf', '-', '.']);
    const chunks: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.on('error', reject);
    p.on('close', () => resolve(Buffer.concat(chunks)));
  });
}
