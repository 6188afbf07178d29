import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGES, PLAIN } from '../fixtures/registries.js';
import { docker } from '../helpers/daemon.js';

// The real Docker CLI v28 against berthd: commit, save, load, import, push; skopeo checks the results.

const dir = mkdtempSync(join(tmpdir(), 'berth-transfer-'));
const suffix = randomBytes(3).toString('hex');
const names = { ctr: `tr-${suffix}`, img: `transfer-${suffix}:v1`, pushed: `${PLAIN}/transfer-${suffix}:v1`, imported: `imported-${suffix}:1` };

async function ok(...args: string[]): Promise<string> {
  const r = await docker(...args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

after(async () => {
  await docker('rm', '-f', names.ctr);
  await docker('rmi', '-f', names.img, names.pushed, names.imported);
  rmSync(dir, { recursive: true, force: true });
});

test('docker commit / save / load / push / import against berthd', async () => {
  const base = `${PLAIN}/${IMAGES.busybox}`;
  await ok('pull', '-q', base);
  await ok('run', '--name', names.ctr, base, 'sh', '-c', 'echo committed > /greeting && rm /bin/vi');
  const id = (await ok('commit', '-c', 'CMD ["cat", "/greeting"]', '-c', 'ENV STAGE=two', '-m', 'msg', names.ctr, names.img)).trim();
  assert.match(id, /^sha256:[a-f0-9]{64}$/);
  // A committed container runs as its new image: its file is there, its deletion too, its config applies.
  assert.equal((await ok('run', '--rm', names.img)).trim(), 'committed');
  assert.equal((await docker('run', '--rm', names.img, 'test', '-e', '/bin/vi')).code, 1);
  assert.equal((await ok('run', '--rm', names.img, 'sh', '-c', 'echo $STAGE')).trim(), 'two');

  const tar = join(dir, 'img.tar');
  await ok('save', '-o', tar, names.img);
  const configDigest = execFileSync('sh', ['-c', `skopeo inspect --raw --config docker-archive:${tar} | sha256sum`], { encoding: 'utf8' }).split(' ')[0];
  assert.equal(`sha256:${configDigest}`, id);
  await ok('rmi', names.img);
  assert.match(await ok('load', '-i', tar), new RegExp(`Loaded image: ${names.img}`));
  assert.equal((await ok('image', 'inspect', '--format', '{{.Id}}', names.img)).trim(), id);

  await ok('tag', names.img, names.pushed);
  const out = await ok('push', names.pushed);
  assert.match(out, new RegExp(`The push refers to repository \\[${PLAIN}/transfer-${suffix}\\]`));
  const digest = /v1: digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(out)?.[1];
  assert.ok(digest, out);
  const seen = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${names.pushed}`], { encoding: 'utf8' }).trim();
  assert.equal(seen, digest);
  // A fresh pull of the pushed tag runs it.
  await ok('rmi', names.pushed);
  await ok('pull', '-q', names.pushed);
  assert.equal((await ok('run', '--rm', names.pushed)).trim(), 'committed');

  const rootfs = join(dir, 'rootfs.tar');
  await ok('export', '-o', rootfs, names.ctr);
  const imported = (await ok('import', '-c', 'CMD ["cat", "/greeting"]', rootfs, names.imported)).trim();
  assert.match(imported, /^sha256:[a-f0-9]{64}$/);
  assert.equal((await ok('run', '--rm', names.imported)).trim(), 'committed');
});
