import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run, TEST_HOST } from '../helpers/daemon.js';
import { removeBridgeLeftovers } from '../helpers/bridge-leftovers.js';

// The Debian package installed into a clean Debian 12 root (the fixture debian image's files)
// with apt, as a VPS owner would: berthd runs there, a container runs, an upgrade of the package
// keeps a container running, remove stops berthd and keeps data, purge removes configuration.

const BERTH = join(ROOT, 'dist', 'berth.mjs');
// The root's berthd shares this host's network: its own bridge, subnet and firewall names.
const BRIDGE = 'bpkg0';

function sh(script: string, timeoutMs = 300_000) {
  return run('sh', ['-c', script], { timeoutMs });
}

/** Kills whatever runs inside the root and unmounts everything below it, deepest first. */
function tearDown(root: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/root`) === root) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already, or not ours to read
    }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === root || m.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) execFileSync('umount', ['-l', m]);
}

test('the Debian package installs into a clean Debian 12 root, upgrades with containers running, removes and purges', { timeout: 900_000 }, async (t) => {
  const tmp = mkdtempSync('/var/tmp/berth-package-');
  const root = join(tmp, 'root');
  const debs = join(tmp, 'debs');
  mkdirSync(root);
  mkdirSync(debs);
  t.after(() => {
    tearDown(root);
    removeBridgeLeftovers(BRIDGE);
    rmSync(tmp, { recursive: true, force: true });
  });

  // Two versions of the package, from the dist/ this run's daemon uses.
  for (const version of ['0.1.0', '0.1.0+upgrade1']) {
    const p = await run('bash', [join(ROOT, 'scripts', 'package.sh'), debs], { env: { BERTH_PKG_NO_BUILD: '1', BERTH_PKG_VERSION: version } });
    assert.equal(p.code, 0, p.stderr);
  }
  // This host's Node 20 binary as a nodejs package for the root (Debian 12's own nodejs is 18).
  const nodeVersion = process.versions.node;
  const nodePkg = join(tmp, 'nodejs');
  mkdirSync(join(nodePkg, 'DEBIAN'), { recursive: true });
  mkdirSync(join(nodePkg, 'usr/bin'), { recursive: true });
  copyFileSync(process.execPath, join(nodePkg, 'usr/bin/node'));
  writeFileSync(
    join(nodePkg, 'DEBIAN/control'),
    `Package: nodejs\nVersion: ${nodeVersion}-test\nArchitecture: amd64\nMaintainer: berth tests <root@localhost>\nDepends: libc6, libstdc++6, libgcc-s1\nDescription: Node.js ${nodeVersion} of the test host\n`,
  );
  const node = await run('dpkg-deb', ['--root-owner-group', '-Znone', '--build', nodePkg, join(debs, `nodejs_${nodeVersion}_amd64.deb`)]);
  assert.equal(node.code, 0, node.stderr);

  // A clean Debian 12 root: the files of the fixture debian image (debootstrap minbase).
  const rootfs = await sh(`cid=$(node ${BERTH} -H ${TEST_HOST} create debian true) && node ${BERTH} -H ${TEST_HOST} export $cid | tar -x -C ${root} && node ${BERTH} -H ${TEST_HOST} rm $cid >/dev/null`);
  assert.equal(rootfs.code, 0, rootfs.stderr);
  // apt in the root reaches the same mirror this host does.
  for (const f of ['/etc/resolv.conf', '/etc/hosts']) copyFileSync(f, join(root, f));
  cpSync('/etc/apt/sources.list.d', join(root, 'etc/apt/sources.list.d'), { recursive: true });
  cpSync('/etc/apt/apt.conf.d', join(root, 'etc/apt/apt.conf.d'), { recursive: true });
  if (existsSync('/etc/apt/sources.list')) copyFileSync('/etc/apt/sources.list', join(root, 'etc/apt/sources.list'));
  cpSync(debs, join(root, 'debs'), { recursive: true });
  const mounted = await sh(
    // The root is a mount of its own, as / is on a machine: crun changes its propagation.
    `mount --bind ${root} ${root} && mount --make-private ${root} && mount -t proc proc ${root}/proc && mount --rbind /sys ${root}/sys && mount --make-rslave ${root}/sys && mount --rbind /dev ${root}/dev && mount --make-rslave ${root}/dev`,
  );
  assert.equal(mounted.code, 0, mounted.stderr);
  // The root's daemon.json, there before the package: dpkg keeps it (--force-confold).
  mkdirSync(join(root, 'etc/berth'), { recursive: true });
  writeFileSync(join(root, 'etc/berth/daemon.json'), JSON.stringify({ bridge: BRIDGE, bip: '172.39.0.1/16', 'registry-mirrors': ['http://127.0.0.1:5000'] }));

  const inRoot = (script: string) => run('chroot', [root, '/bin/sh', '-c', script], { timeoutMs: 300_000 });
  const apt = (args: string) => inRoot(`DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o Dpkg::Options::=--force-confold --no-install-recommends ${args}`);
  const berthdPid = () => {
    const f = join(root, 'run/berth/berthd.pid');
    return existsSync(f) ? Number(readFileSync(f, 'utf8')) : 0;
  };
  const alive = (pid: number) => {
    try {
      return pid > 0 && (process.kill(pid, 0), true);
    } catch {
      return false;
    }
  };

  const update = await inRoot('apt-get update -qq');
  assert.equal(update.code, 0, update.stderr);
  const nodeDeb = readdirSync(debs).find((f) => f.startsWith('nodejs_'))!;
  const install = await apt(`install /debs/${nodeDeb} /debs/berth_0.1.0_amd64.deb`);
  const rootLog = () => (existsSync(join(root, 'var/log/berthd.log')) ? readFileSync(join(root, 'var/log/berthd.log'), 'utf8').slice(-3000) : 'no berthd log');
  assert.equal(install.code, 0, install.stdout + install.stderr + rootLog());

  // postinst made the group and started berthd (no systemd in the root: directly).
  assert.match(readFileSync(join(root, 'etc/group'), 'utf8'), /^berth:/m);
  assert.ok(alive(berthdPid()), 'berthd runs after install');
  assert.equal(JSON.parse(readFileSync(join(root, 'etc/berth/daemon.json'), 'utf8')).bridge, BRIDGE);
  const ok = await inRoot('berth run --rm busybox echo ok');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim().split('\n').pop(), 'ok');
  for (const f of ['usr/bin/berth', 'usr/bin/berthd', 'lib/systemd/system/berthd.service', 'etc/logrotate.d/berthd', 'usr/share/bash-completion/completions/berth', 'usr/share/zsh/vendor-completions/_berth', 'usr/share/man/man8/berthd.8.gz', 'usr/share/man/man5/daemon.json.5.gz']) {
    assert.ok(existsSync(join(root, f)), `${f} is installed`);
  }
  const man = await run('man', ['-P', 'cat', '-M', join(root, 'usr/share/man'), 'berth-run'], { env: { MANWIDTH: '100' } });
  assert.equal(man.code, 0, man.stderr);
  assert.match(man.stdout, /berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]/);
  assert.match(man.stdout, /--publish/);

  // An upgrade restarts berthd; the running container keeps running and is managed by the new one.
  const started = await inRoot('berth run -d --name keep busybox sleep 600');
  assert.equal(started.code, 0, started.stderr);
  const pidOf = async () => Number((await inRoot("berth inspect -f '{{.State.Pid}}' keep")).stdout.trim());
  const containerPid = await pidOf();
  const oldDaemon = berthdPid();
  const upgrade = await apt('install /debs/berth_0.1.0+upgrade1_amd64.deb');
  assert.equal(upgrade.code, 0, upgrade.stdout + upgrade.stderr);
  assert.match((await inRoot("dpkg-query -W -f '${Version}' berth")).stdout, /^0\.1\.0\+upgrade1$/);
  assert.notEqual(berthdPid(), oldDaemon);
  assert.ok(alive(berthdPid()), 'berthd runs after the upgrade');
  assert.ok(!alive(oldDaemon), 'the old berthd is gone');
  assert.equal(await pidOf(), containerPid, 'the container kept running through the upgrade');
  const exec = await inRoot('berth exec keep echo still-here');
  assert.equal(exec.stdout.trim(), 'still-here', exec.stderr);

  // remove: berthd stops, configuration and containers' data stay.
  assert.equal((await inRoot('berth rm -f keep && berth create --name kept busybox true')).code, 0);
  const keptId = (await inRoot("berth inspect -f '{{.Id}}' kept")).stdout.trim();
  const daemonBeforeRemove = berthdPid();
  const removed = await apt('remove berth');
  assert.equal(removed.code, 0, removed.stdout + removed.stderr);
  assert.ok(!alive(daemonBeforeRemove), 'apt remove stopped berthd');
  assert.ok(!existsSync(join(root, 'usr/bin/berth')));
  assert.ok(existsSync(join(root, 'etc/berth/daemon.json')), 'remove keeps the configuration');
  assert.ok(existsSync(join(root, 'var/lib/berth/containers', keptId)), "remove keeps the containers' data");

  // purge: the configuration goes; containers' data stays, as with docker.io.
  const purged = await apt('purge berth');
  assert.equal(purged.code, 0, purged.stdout + purged.stderr);
  assert.ok(!existsSync(join(root, 'etc/berth')), 'purge removes /etc/berth');
  assert.ok(existsSync(join(root, 'var/lib/berth/containers', keptId)));
});
