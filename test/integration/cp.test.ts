import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, docker, run, ROOT, TEST_HOST } from '../helpers/daemon.js';

// `cp`, `export` and `diff` against real containers, with berth's CLI and docker's.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const name = `cp${process.pid}`;
const stopped = `cps${process.pid}`;
let dir: string;

async function ok(...args: string[]): Promise<string> {
  const r = await berth(...args);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-cp-'));
  await ok('run', '-d', '--name', name, BUSYBOX, 'sleep', '600');
  await ok('create', '--name', stopped, BUSYBOX, 'true');
});

after(async () => {
  await berth('rm', '-f', name, stopped);
  rmSync(dir, { recursive: true, force: true });
});

function tree(root: string): void {
  mkdirSync(join(root, 'sub dir/ü ñ'), { recursive: true });
  writeFileSync(join(root, 'sub dir/ü ñ/file with spaces & :colon'), 'odd');
  writeFileSync(join(root, 'owned'), 'mine');
  chownSync(join(root, 'owned'), 1234, 5678);
  symlinkSync('owned', join(root, 'link'));
}

for (const [label, target] of [['running', () => name], ['stopped', () => stopped]] as const) {
  test(`cp round trip into and out of a ${label} container keeps odd names, symlinks and owners`, async () => {
    const src = join(dir, `src-${label}`);
    tree(src);
    await ok('cp', src, `${target()}:/tmp/in`);
    if (label === 'running') {
      assert.equal(await ok('exec', name, 'stat', '-c', '%u:%g', '/tmp/in/owned'), '1234:5678\n');
      assert.equal(await ok('exec', name, 'readlink', '/tmp/in/link'), 'owned\n');
    }
    const back = join(dir, `back-${label}`);
    await ok('cp', `${target()}:/tmp/in`, back);
    assert.equal(readFileSync(join(back, 'sub dir/ü ñ/file with spaces & :colon'), 'utf8'), 'odd');
    assert.equal(readlinkSync(join(back, 'link')), 'owned');
    // Contents only, into an existing directory.
    mkdirSync(join(dir, `contents-${label}`));
    await ok('cp', `${target()}:/tmp/in/.`, join(dir, `contents-${label}`));
    assert.equal(readFileSync(join(dir, `contents-${label}`, 'owned'), 'utf8'), 'mine');
  });
}

test('cp -L follows a symlink, - streams a tar, -a gives the container user', async () => {
  await ok('exec', name, 'sh', '-c', 'echo target > /tmp/t; ln -sf /tmp/t /tmp/l');
  await ok('cp', '-L', `${name}:/tmp/l`, join(dir, 'followed'));
  assert.equal(readFileSync(join(dir, 'followed'), 'utf8'), 'target\n');
  await ok('cp', `${name}:/tmp/l`, join(dir, 'notfollowed'));
  assert.ok(lstatSync(join(dir, 'notfollowed')).isSymbolicLink());
  const tar = await run('sh', ['-c', `node ${join(ROOT, 'dist/berth.mjs')} -H ${TEST_HOST} cp ${name}:/tmp/t - | tar -tvf -`]);
  assert.match(tar.stdout, / t$/m);
  writeFileSync(join(dir, 'a-file'), 'x');
  chownSync(join(dir, 'a-file'), 4321, 4321);
  await ok('cp', '-a', join(dir, 'a-file'), `${name}:/tmp/`);
  assert.equal(await ok('exec', name, 'stat', '-c', '%u', '/tmp/a-file'), '0\n');
  const missing = await berth('cp', `${name}:/nonexistent`, dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Could not find the file \/nonexistent in container/);
});

test("docker's CLI copies both ways", async () => {
  writeFileSync(join(dir, 'from-docker'), 'hello docker');
  const up = await docker('cp', join(dir, 'from-docker'), `${name}:/tmp/`);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(await ok('exec', name, 'cat', '/tmp/from-docker'), 'hello docker');
  const down = await docker('cp', `${name}:/tmp/from-docker`, join(dir, 'back-from-docker'));
  assert.equal(down.code, 0, down.stderr);
  assert.equal(readFileSync(join(dir, 'back-from-docker'), 'utf8'), 'hello docker');
  const dirDown = await docker('cp', `${name}:/tmp/in`, join(dir, 'docker-dir'));
  assert.equal(dirDown.code, 0, dirDown.stderr);
  assert.equal(readlinkSync(join(dir, 'docker-dir/link')), 'owned');
});

test('diff and export show the container filesystem', async () => {
  await ok('exec', name, 'sh', '-c', 'echo x > /added; rm -f /bin/ls');
  const diff = await ok('diff', name);
  assert.match(diff, /^A \/added$/m);
  assert.match(diff, /^D \/bin\/ls$/m);
  assert.match(diff, /^C \/bin$/m);
  // /etc is copied up only to hold the /etc/hosts mount point: Docker's init layer keeps it out of diff.
  assert.doesNotMatch(diff, /^C \/etc$/m);
  const ddiff = await docker('diff', name);
  assert.match(ddiff.stdout, /^A \/added$/m);
  const out = join(dir, 'export.tar');
  await ok('export', '-o', out, name);
  const list = await run('tar', ['-tf', out]);
  assert.match(list.stdout, /^added$/m);
  assert.match(list.stdout, /^bin\/$/m);
});
