import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { testImageConfig } from './test-options.js';
import { openDatabase, type Db } from '../../store/database.js';
import { IMAGES, PLAIN, TEST_PASSWORD, TEST_USER, TOKEN, fixtureDigests } from '../../../test/fixtures/registries.js';
import { ImageService } from './image-service.js';
import { ImageStore } from './image-store.js';
import { pushImage, type PushDeps } from './image-push.js';
import type { JsonMessage } from './progress.js';
import { RegistryClient } from './registry-client.js';

// Pushes to the fixture registries and checks with skopeo that the registry serves what berth reported.

const digests = fixtureDigests();
const roots: string[] = [];
const open: { svc: ImageService; db: Db; registry: RegistryClient }[] = [];

function store(): { svc: ImageService; deps: PushDeps } {
  const root = mkdtempSync(join(tmpdir(), 'berth-push-'));
  roots.push(root);
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const svc = new ImageService({ db, paths, config: testImageConfig(), logger: silentLogger, events: { emit: () => undefined } });
  const registry = new RegistryClient({ insecureRegistries: [], mirrors: [], logger: silentLogger });
  open.push({ svc, db, registry });
  return { svc, deps: { ...new ImageStore({ db, paths, logger: silentLogger }), registry, getImage: (r) => svc.getImage(r) } };
}

const unique = (): string => `push-${randomBytes(4).toString('hex')}`;

function inspectDigest(ref: string, creds?: string): string {
  const args = ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', ...(creds ? ['--creds', creds] : []), `docker://${ref}`];
  return execFileSync('skopeo', args, { encoding: 'utf8' }).trim();
}

before(async () => {
  const res = await fetch(`http://${PLAIN}/v2/`);
  assert.equal(res.status, 200, `fixture registry ${PLAIN} is not answering`);
});

after(async () => {
  for (const { svc, db, registry } of open) {
    await registry.close();
    await svc.close();
    db.close();
  }
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test('push to the plain registry: mounted layer, digest skopeo sees, pull of the pushed tag gives the same image', async () => {
  const { svc, deps } = store();
  await svc.pull(`${PLAIN}/${IMAGES.busybox}`, {}, () => undefined);
  const repo = `${PLAIN}/${unique()}`;
  svc.tag(`${PLAIN}/${IMAGES.busybox}`, repo, 'v1');
  const msgs: JsonMessage[] = [];
  await pushImage(deps, repo, 'v1', undefined, (m) => msgs.push(m));
  assert.deepEqual(msgs[0], { status: `The push refers to repository [${repo}]` });
  assert.ok(msgs.some((m) => m.status === 'Preparing'));
  assert.ok(msgs.some((m) => m.status === 'Mounted from library/busybox'), JSON.stringify(msgs));
  const final = msgs.at(-2)!.status!;
  const m = /^v1: digest: (sha256:[a-f0-9]{64}) size: (\d+)$/.exec(final);
  assert.ok(m, final);
  assert.deepEqual(msgs.at(-1), { progressDetail: {}, aux: { Tag: 'v1', Digest: m[1], Size: Number(m[2]) } });
  assert.equal(inspectDigest(`${repo}:v1`), m[1]);
  assert.ok(svc.getImage(`${repo}:v1`).repoDigests.includes(`${repo}@${m[1]}`));

  // A second push finds everything there.
  const again: JsonMessage[] = [];
  await pushImage(deps, repo, 'v1', undefined, (x) => again.push(x));
  assert.ok(again.some((x) => x.status === 'Layer already exists'));

  // A fresh store pulls what was pushed: same image id.
  const other = store();
  const img = await other.svc.pull(`${repo}:v1`, {}, () => undefined);
  assert.equal(img.id, digests.configs[IMAGES.busybox]);
});

test('push uploads layers the registry lacks, with Pushing progress, to the token registry with credentials', async () => {
  const { svc, deps } = store();
  await svc.pull(`${PLAIN}/${IMAGES.debian}`, {}, () => undefined);
  const repo = `${TOKEN}/${unique()}`;
  svc.tag(`${PLAIN}/${IMAGES.debian}`, repo, 'latest');
  // Anonymous callers may not push there.
  await assert.rejects(pushImage(deps, repo, undefined, undefined, () => undefined), /denied|unauthorized|authentication/);
  const msgs: JsonMessage[] = [];
  await pushImage(deps, repo, undefined, { username: TEST_USER, password: TEST_PASSWORD }, (m) => msgs.push(m));
  assert.ok(msgs.some((m) => m.status === 'Pushing'));
  assert.ok(msgs.some((m) => m.status === 'Pushed'));
  const digest = /digest: (\S+)/.exec(msgs.at(-2)!.status!)![1]!;
  assert.equal(inspectDigest(`${repo}:latest`, `${TEST_USER}:${TEST_PASSWORD}`), digest);
});

test('push of an image that is not here says so as Docker does', async () => {
  const { deps } = store();
  await assert.rejects(pushImage(deps, `${PLAIN}/nothing-here`, 'v9', undefined, () => undefined), {
    message: `An image does not exist locally with the tag: ${PLAIN}/nothing-here`,
  });
});
