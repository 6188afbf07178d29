import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, berth, run, ROOT, TEST_HOST, type RunResult } from '../helpers/daemon.js';
import { PrivateDaemon } from '../helpers/private-daemon.js';
import { populateTree, snapshotTree } from '../helpers/tree-snapshot.js';
import { eventually } from '../helpers/eventually.js';

// Volume export/import, container backup and restore into a second berthd, scheduled backups.

const tag = `bk${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'berth-backup-test-'));
const volumes: string[] = [];
const containers: string[] = [];

after(async () => {
  for (const c of containers) await berth('rm', '-f', c);
  for (const v of volumes) await berth('volume', 'rm', '-f', v);
  rmSync(work, { recursive: true, force: true });
});

async function ok(...args: string[]): Promise<string> {
  const r = await berth(...args);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function newVolume(name: string): Promise<string> {
  const full = `${tag}-${name}`;
  volumes.push(full);
  await ok('volume', 'create', full);
  return ((await api().call('GET', `/volumes/${full}`)) as { Mountpoint: string }).Mountpoint;
}

test('volume export and import keep every file as it was (owners, modes, xattrs, ACLs, links, sparse, devices)', async () => {
  const src = await newVolume('export-src');
  populateTree(src);
  const file = join(work, 'vol.tar');
  await ok('volume', 'export', `${tag}-export-src`, '-o', file);
  assert.equal(existsSync(join(work, '.vol.tar.partial')), false);
  // Plain PAX tar that GNU tar lists.
  assert.match(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }), /^\.\/sub\/file\.txt$/m);

  const dst = await newVolume('import-dst');
  await ok('volume', 'import', `${tag}-import-dst`, file);
  assert.deepEqual(snapshotTree(dst), snapshotTree(src));
  assert.ok(statSync(join(dst, 'sparse.img')).blocks * 512 < 1 << 20, 'the sparse file is still sparse');

  // zstd-compressed input through stdin.
  const dst2 = await newVolume('import-zst');
  execFileSync('zstd', ['-q', '-f', file, '-o', `${file}.zst`]);
  const r = await run('sh', ['-c', `node ${join(ROOT, 'dist', 'berth.mjs')} -H ${TEST_HOST} volume import ${tag}-import-zst - < ${file}.zst`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(snapshotTree(dst2), snapshotTree(src));

  const missing = await berth('volume', 'export', `${tag}-nope`, '-o', join(work, 'x.tar'));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no such volume/i);
  assert.equal(existsSync(join(work, 'x.tar')), false);
});

// ---------------------------------------------------------------- backup and restore

const NGINX = '127.0.0.1:5000/library/nginx:latest';
const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const PORT = 21650;

async function onDest(dest: PrivateDaemon, ...args: string[]): Promise<RunResult> {
  return run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', dest.host, ...args]);
}

function zstdRoundTrip(from: string, to: string, edit: (tar: Buffer) => Buffer): void {
  const tarBytes = execFileSync('zstd', ['-q', '-d', '-c', from], { maxBuffer: 1 << 30 });
  writeFileSync(to, execFileSync('zstd', ['-q', '-c'], { input: edit(tarBytes), maxBuffer: 1 << 30 }));
}

/** What a restore must not leave behind when it refuses: no containers, volumes or networks beyond the defaults. */
async function assertNothingCreated(dest: PrivateDaemon): Promise<void> {
  assert.deepEqual(await dest.client.call('GET', '/containers/json', { query: { all: '1' } }), []);
  assert.deepEqual(((await dest.client.call('GET', '/volumes')) as { Volumes: unknown[] }).Volumes, []);
  const nets = (await dest.client.call('GET', '/networks')) as { Name: string }[];
  assert.deepEqual(nets.map((n) => n.Name).sort(), ['bridge', 'host', 'none']);
  assert.deepEqual(readdirSync(join(dest.dataRoot, 'backup-tmp')), []);
}

function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}


test('backup, then restore into a second berthd: volumes, config, rootfs and image come back, and it serves', async () => {
  const dest = new PrivateDaemon({ name: 'bkrst', bip: '10.250.13.1/24' });
  const net = `${tag}-net`;
  const vol = `${tag}-data`;
  const web = `${tag}-web`;
  try {
    await dest.start();
    // A network an interrupted run left holds the subnet.
    for (const n of (await api().call('GET', '/networks')) as { Name: string; IPAM: { Config: { Subnet?: string }[] | null } }[]) {
      if (n.IPAM.Config?.some((c) => c.Subnet === '10.249.17.0/24')) await berth('network', 'rm', n.Name);
    }
    await ok('network', 'create', '--subnet', '10.249.17.0/24', '--label', 'purpose=backup-test', net);
    await ok('volume', 'create', '--label', 'keep=yes', vol);
    volumes.push(vol);
    populateTree(((await api().call('GET', `/volumes/${vol}`)) as { Mountpoint: string }).Mountpoint);
    containers.push(web);
    await ok(
      'run', '-d', '--name', web, '--network', net, '--network-alias', 'webalias', '-p', `127.0.0.1:${PORT}:80`,
      '-v', `${vol}:/data`, '-v', '/anon', '-e', 'FOO=bar', '--restart', 'unless-stopped',
      '--label', 'berth.backup.pre=echo dumped > /data/pre-hook', '--label', 'berth.backup.post=touch /anon/post-hook',
      NGINX,
    );
    await ok('exec', web, 'sh', '-c', 'echo anon > /anon/file && echo changed > /etc/rootfs-change && rm /etc/issue');

    const file = join(work, 'web.berth');
    await ok('backup', web, '-o', file);
    const src = (await api().call('GET', `/containers/${web}/json`)) as Record<string, any>;
    assert.equal(src.State.Running, true);
    assert.equal(src.State.Paused, false);
    const srcData = snapshotTree(src.Mounts.find((m: any) => m.Destination === '/data').Source);
    assert.ok(srcData['pre-hook'], 'the pre hook ran before the copy');
    const anonSource = src.Mounts.find((m: any) => m.Destination === '/anon').Source as string;
    assert.ok(existsSync(join(anonSource, 'post-hook')), 'the post hook ran');
    // The post hook's file came after the copy: the restore must not have it.
    rmSync(join(anonSource, 'post-hook'));
    // (The hook's file came and went: the directory's own time moved on since the copy.)
    const srcAnon = snapshotTree(anonSource, { skipRootTime: true });
    const srcImage = (await api().call('GET', `/images/${src.Image}/json`)) as Record<string, any>;
    await ok('backup', web, '--no-image', '--live', '-o', `${file}.noimage`);
    assert.ok(statSync(`${file}.noimage`).size < statSync(file).size / 4, 'the --no-image backup holds no image');

    // An altered member and a truncated archive are refused before anything is made.
    const altered = join(work, 'altered.berth');
    zstdRoundTrip(file, altered, (t) => {
      const at = t.indexOf('secret', t.indexOf(`volumes/${vol}/owned`));
      assert.ok(at > 0);
      t.write('Secret', at);
      return t;
    });
    let r = await onDest(dest, 'restore', altered);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /backup archive refused: checksum mismatch for "volumes\/[^"]+\/owned"/);
    await assertNothingCreated(dest);
    const truncatedFile = join(work, 'truncated.berth');
    writeFileSync(truncatedFile, readFileSync(file).subarray(0, Math.floor(statSync(file).size / 2)));
    r = await onDest(dest, 'restore', truncatedFile);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /backup archive refused: .*truncated/);
    await assertNothingCreated(dest);

    // The source goes (its port and subnet with it), then the restore.
    await ok('rm', '-f', web);
    await ok('network', 'rm', net);
    r = await onDest(dest, 'restore', file, '--start');
    assert.equal(r.code, 0, r.stderr);
    const got = (await dest.client.call('GET', `/containers/${web}/json`)) as Record<string, any>;
    assert.equal(got.State.Running, true);
    assert.equal(got.Name, src.Name);
    assert.equal(got.Image, src.Image);
    assert.deepEqual(got.Config, src.Config);
    assert.deepEqual(got.HostConfig, src.HostConfig);
    assert.equal(got.Path, src.Path);
    assert.deepEqual(got.Args, src.Args);
    assert.deepEqual(got.NetworkSettings.Networks[net].Aliases, src.NetworkSettings.Networks[net].Aliases);
    assert.deepEqual(
      got.Mounts.map((m: any) => [m.Type, m.Destination, m.Type === 'volume' && m.Name === vol]),
      src.Mounts.map((m: any) => [m.Type, m.Destination, m.Type === 'volume' && m.Name === vol]),
    );
    const destVol = (await dest.client.call('GET', `/volumes/${vol}`)) as Record<string, any>;
    assert.deepEqual(destVol.Labels, { keep: 'yes' });
    assert.deepEqual(snapshotTree(destVol.Mountpoint), srcData);
    assert.deepEqual(snapshotTree(got.Mounts.find((m: any) => m.Destination === '/anon').Source, { skipRootTime: true }), srcAnon);
    const destNet = (await dest.client.call('GET', `/networks/${net}`)) as Record<string, any>;
    assert.equal(destNet.IPAM.Config[0].Subnet, '10.249.17.0/24');
    assert.deepEqual(destNet.Labels, { purpose: 'backup-test' });
    const destImage = (await dest.client.call('GET', `/images/${src.Image}/json`)) as Record<string, any>;
    assert.deepEqual(destImage.RootFS, srcImage.RootFS);
    assert.ok(destImage.RepoTags.includes(NGINX));
    r = await onDest(dest, 'exec', web, 'sh', '-c', 'cat /etc/rootfs-change; test ! -e /etc/issue && echo issue-gone');
    assert.equal(r.stdout, 'changed\nissue-gone\n');
    assert.equal(await eventually(() => httpGet(`http://127.0.0.1:${PORT}/`)), 200);

    // Conflicts are found before anything is made.
    r = await onDest(dest, 'restore', file);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container name "\/[^"]+" is already in use/);
    r = await onDest(dest, 'restore', file, '--name', `${web}-2`, '--replace-volumes');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${PORT} failed: port is already allocated`));
    r = await onDest(dest, 'restore', file, '--name', `${web}-2`);
    assert.match(r.stderr, /volume \S+ already exists/);
    assert.equal(((await dest.client.call('GET', '/containers/json', { query: { all: '1' } })) as unknown[]).length, 1);

    // --no-image: the image comes from the registry, by digest.
    await onDest(dest, 'rm', '-f', web);
    await onDest(dest, 'volume', 'rm', vol);
    r = await onDest(dest, 'rmi', '-f', NGINX);
    assert.equal(r.code, 0, r.stderr);
    r = await onDest(dest, 'restore', `${file}.noimage`, '--start');
    assert.equal(r.code, 0, r.stderr);
    const pulled = (await dest.client.call('GET', `/images/${src.Image}/json`)) as Record<string, any>;
    // Pulled by digest: the same digest, under the reference the backup names.
    const digestOf = (d: string) => d.slice(d.indexOf('@'));
    assert.ok(pulled.RepoDigests.length > 0);
    for (const d of pulled.RepoDigests as string[]) assert.ok((srcImage.RepoDigests as string[]).map(digestOf).includes(digestOf(d)), d);
    assert.equal(await eventually(() => httpGet(`http://127.0.0.1:${PORT}/`)), 200);
  } finally {
    for (const c of (await dest.client.call('GET', '/containers/json', { query: { all: '1' } }).catch(() => [])) as { Id: string }[]) {
      await dest.client.call('DELETE', `/containers/${c.Id}`, { query: { force: '1', v: '1' } }).catch(() => undefined);
    }
    await dest.client.call('DELETE', `/networks/${net}`).catch(() => undefined);
    await dest.remove();
    await berth('rm', '-f', web);
    await berth('network', 'rm', net);
  }
});

test('backup ls lists the scheduled archives and backup prune keeps the newest of each container', async () => {
  const dir = join(work, 'scheduled');
  mkdirSync(dir);
  const names = ['web.20260101T000000Z', 'web.20260102T000000Z', 'web.20260103T000000Z', 'db.20260101T000000Z'];
  for (const n of names) writeFileSync(join(dir, `${n}.berth.tar.zst`), 'x');
  writeFileSync(join(dir, 'web.20260104T000000Z.berth.tar.zst.partial'), 'half');
  const d = new PrivateDaemon({ name: 'bkls', bip: '10.250.14.1/24', config: { backups: [{ containers: ['web', 'db'], schedule: '0 0 1 1 *', dir, keep: 2 }] } });
  try {
    await d.start();
    let r = await run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', d.host, 'backup', 'ls']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^CONTAINER\s+CREATED\s+SIZE\s+PATH$/m);
    assert.equal(r.stdout.trim().split('\n').length, 5);
    assert.equal(existsSync(join(dir, 'web.20260104T000000Z.berth.tar.zst.partial')), false, 'a partial file from a crash is removed at start');
    r = await run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', d.host, 'backup', 'prune']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Deleted: ${join(dir, 'web.20260101T000000Z.berth.tar.zst')}\n`);
    assert.deepEqual(readdirSync(dir).sort(), ['db.20260101T000000Z.berth.tar.zst', 'web.20260102T000000Z.berth.tar.zst', 'web.20260103T000000Z.berth.tar.zst']);
  } finally {
    await d.remove();
  }
});

test('a scheduled backup fires inside the daemon, and retention removes the oldest', async () => {
  const dir = join(work, 'every-minute');
  mkdirSync(dir);
  const name = `${tag}-sched`;
  const old = join(dir, `${name}.20260101T000000Z.berth.tar.zst`);
  writeFileSync(old, 'an older backup');
  // Every minute, by label, keeping one: the first run writes one and removes the older one.
  const d = new PrivateDaemon({
    name: 'bkcron',
    bip: '10.250.7.1/24',
    config: { backups: [{ label: 'backup=every-minute', schedule: '* * * * *', dir, keep: 1, image: false }] },
  });
  const onD = (...args: string[]) => run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', d.host, ...args]);
  try {
    await d.start();
    let r = await onD('run', '-d', '--name', name, '--label', 'backup=every-minute', '-v', `${name}-vol:/data`, BUSYBOX, 'sh', '-c', 'echo scheduled > /data/file; exec sleep 600');
    assert.equal(r.code, 0, r.stderr);
    r = await onD('run', '-d', '--name', `${name}-other`, BUSYBOX, 'sleep', '600');
    assert.equal(r.code, 0, r.stderr);
    // A cron minute: up to 60 s (two, if the first came before the containers did).
    let files: string[] = [];
    for (let i = 0; i < 260; i++) {
      files = readdirSync(dir).sort();
      if (files.length === 1 && files[0] !== old.slice(dir.length + 1) && !files[0]!.endsWith('.partial')) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    assert.equal(files.length, 1, `files: ${files.join(', ')}`);
    assert.match(files[0]!, new RegExp(`^${name}\\.\\d{8}T\\d{6}Z\\.berth\\.tar\\.zst$`));
    // A complete archive of the labelled container only, its volume inside.
    const members = execFileSync('sh', ['-c', `zstd -q -d -c '${join(dir, files[0]!)}' | tar -t`], { encoding: 'utf8' });
    assert.match(members, new RegExp(`^volumes/${name}-vol/file$`, 'm'));
    assert.match(members, /^manifest\.json$/m);
    r = await onD('backup', 'ls');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${name}\\s+.*${files[0]!.replace(/\./g, '\\.')}$`, 'm'));
  } finally {
    await d.remove();
  }
});

test('migrate moves a container to another berthd; a destination that fails leaves the source running', async () => {
  const dest = new PrivateDaemon({ name: 'bkmgu', bip: '10.250.15.1/24' });
  const web = `${tag}-mig`;
  const vol = `${tag}-migvol`;
  containers.push(web);
  volumes.push(vol);
  try {
    await dest.start();
    await ok('run', '-d', '--name', web, '-v', `${vol}:/var/www/html`, NGINX);
    await ok('exec', web, 'sh', '-c', 'echo migrated-page > /var/www/html/index.html');
    // The destination already has a container of that name: the restore there is refused.
    let r = await onDest(dest, 'create', '--name', web, '127.0.0.1:5000/library/busybox:latest');
    assert.equal(r.code, 0, r.stderr);
    r = await berth('migrate', web, dest.execRoot + '/berth.sock');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /migration failed, the source is still running: .*already in use/);
    assert.equal(((await api().call('GET', `/containers/${web}/json`)) as any).State.Running, true);
    assert.deepEqual(((await dest.client.call('GET', '/volumes')) as { Volumes: unknown[] }).Volumes, []);
    await onDest(dest, 'rm', web);

    r = await berth('migrate', web, dest.host, '--wait', '2s');
    assert.equal(r.code, 0, r.stderr);
    const there = (await dest.client.call('GET', `/containers/${web}/json`)) as any;
    assert.equal(there.State.Running, true);
    const ip = there.NetworkSettings.Networks.bridge.IPAddress as string;
    const body = await eventually(
      () =>
        new Promise<string>((resolve, reject) => {
          get(`http://${ip}/`, (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve(text));
          }).on('error', reject);
        }),
    );
    assert.equal(body, 'migrated-page\n');
    const here = (await api().call('GET', `/containers/${web}/json`)) as any;
    assert.equal(here.State.Running, false, 'the source is stopped once the destination serves');
    assert.ok(Date.parse(here.State.FinishedAt) >= Date.parse(there.State.StartedAt), 'the source stopped after the destination started');

    // The destination has busybox already (the conflicting container above pulled it): not sent again.
    const small = `${tag}-mig2`;
    containers.push(small);
    await ok('run', '-d', '--name', small, '127.0.0.1:5000/library/busybox:latest', 'sleep', '300');
    r = await berth('migrate', small, dest.host, '--rm-source', '--wait', '2s');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(((await dest.client.call('GET', `/containers/${small}/json`)) as any).State.Running, true);
    assert.equal((await berth('inspect', small)).code, 1, '--rm-source removed the source');
  } finally {
    await dest.remove();
  }
});
