import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { testImageConfig } from './test-options.js';
import { openDatabase, type Db } from '../../store/database.js';
import { IMAGES, PLAIN, fixtureDigests } from '../../../test/fixtures/registries.js';
import { ImageService } from './image-service.js';
import { loadImages } from './image-archive-load.js';
import { saveImages } from './image-archive-save.js';
import type { ImageStoreParts } from './image-archive-layers.js';
import { ImageStore } from './image-store.js';

// save → skopeo reads it with the same digests; archives skopeo writes → load. Real files, real registry.

const digests = fixtureDigests();
const roots: string[] = [];
const open: { svc: ImageService; db: Db }[] = [];

function store(): { svc: ImageService; parts: ImageStoreParts; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'berth-archive-'));
  roots.push(root);
  const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
  const db = openDatabase(paths.database);
  const svc = new ImageService({ db, paths, config: testImageConfig(), logger: silentLogger, events: { emit: () => undefined } });
  open.push({ svc, db });
  return { svc, root, parts: new ImageStore({ db, paths, logger: silentLogger }) };
}

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8' });
}

before(async () => {
  const res = await fetch(`http://${PLAIN}/v2/`);
  assert.equal(res.status, 200, `fixture registry ${PLAIN} is not answering`);
  execFileSync('skopeo', ['--version']);
});

after(async () => {
  for (const { svc, db } of open) {
    await svc.close();
    db.close();
  }
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

test('an archive berth saves is read by skopeo as docker-archive and oci-archive, and loads back', async () => {
  const { svc, parts, root } = store();
  await svc.pull(`${PLAIN}/${IMAGES.nginx}`, {}, () => undefined);
  const file = join(root, 'nginx.tar');
  await pipeline(saveImages({ ...parts, getImage: (r) => svc.getImage(r) }, [`${PLAIN}/${IMAGES.nginx}`]), createWriteStream(file));

  const id = digests.configs[IMAGES.nginx]!;
  const viaDocker = JSON.parse(skopeo('inspect', '--raw', '--config', `docker-archive:${file}`)) as { rootfs: { diff_ids: string[] } };
  const viaOci = skopeo('inspect', '--config', '--raw', `oci-archive:${file}`);
  assert.equal(`sha256:${execFileSync('sha256sum', { input: viaOci }).toString().split(' ')[0]}`, id);
  // skopeo recomputes layer digests while reading: it accepts the tars only if they match the diff IDs.
  const copied = join(root, 'copy');
  skopeo('copy', `docker-archive:${file}`, `dir:${copied}`);
  const m = JSON.parse(readFileSync(join(copied, 'manifest.json'), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  assert.equal(m.config.digest, id);
  assert.deepEqual(m.layers.map((l) => l.digest), viaDocker.rootfs.diff_ids);

  // Into a fresh store: same image id, tagged, and a layer really unpacked.
  const fresh = store();
  const msgs: { stream?: string; status?: string }[] = [];
  const res = await loadImages(fresh.parts, createReadStream(file), {}, (mm) => msgs.push(mm));
  assert.deepEqual(res.loaded, [`Loaded image: ${PLAIN}/${IMAGES.nginx}`]);
  assert.ok(msgs.some((x) => x.status === 'Loading layer'));
  const img = fresh.svc.getImage(`${PLAIN}/${IMAGES.nginx}`);
  assert.equal(img.id, id);
  assert.ok(existsSync(join(fresh.parts.paths.layerDiff(img.layers[1]!.chainId), 'usr/sbin/nginx')));
});

test('archives skopeo writes (docker-archive and oci-archive) load into berth', async () => {
  const { svc, parts, root } = store();
  const dockerTar = join(root, 'bb-docker.tar');
  const ociTar = join(root, 'bb-oci.tar');
  skopeo('copy', '--src-tls-verify=false', `docker://${PLAIN}/${IMAGES.busybox}`, `docker-archive:${dockerTar}:busybox:saved`);
  skopeo('copy', '--src-tls-verify=false', `docker://${PLAIN}/${IMAGES.debian}`, `oci-archive:${ociTar}:example.com/deb:one`);
  const quiet: { stream?: string; status?: string }[] = [];
  const a = await loadImages(parts, createReadStream(dockerTar), { quiet: true }, (m) => quiet.push(m));
  assert.deepEqual(a.loaded, ['Loaded image: busybox:saved']);
  assert.deepEqual(quiet, [{ stream: 'Loaded image: busybox:saved\n' }]);
  assert.equal(svc.getImage('busybox:saved').id, digests.configs[IMAGES.busybox]);
  const b = await loadImages(parts, createReadStream(ociTar), { quiet: true }, () => undefined);
  assert.deepEqual(b.loaded, ['Loaded image: example.com/deb:one']);
  const deb = svc.getImage('example.com/deb:one');
  assert.equal(deb.id, digests.configs[IMAGES.debian]);
  assert.ok(existsSync(join(parts.paths.layerDiff(deb.layers[0]!.chainId), 'etc/motd')));
});

test('load refuses an archive with neither manifest.json nor index.json', async () => {
  const { parts, root } = store();
  const dir = join(root, 'junk');
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('sh', ['-c', `echo hi > ${dir}/x && tar -cf ${root}/junk.tar -C ${dir} x`]);
  await assert.rejects(loadImages(parts, createReadStream(join(root, 'junk.tar')), {}, () => undefined), /does not contain a manifest.json/);
});
