import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, berth, run, ROOT, TEST_HOST, type RunResult } from '../helpers/daemon.js';
import { PrivateDaemon } from '../helpers/private-daemon.js';
import { eventually } from '../helpers/eventually.js';
import { ThrowawaySshd } from '../helpers/throwaway-sshd.js';

// `berth migrate` between two berthd in separate network namespaces: the run's test daemon (the
// host's namespace) is the source; the destination runs in a namespace of its own, reached over
// a veth pair, through ssh:// (a real openssh-server there with a throwaway key) and tcp:// with
// mutual TLS (certificates from `berth tls init`). Each namespace has its own bridge, firewall and
// ports: both publish the same host port at once.

const NS = 'berth-bkmgn';
const HOST_IF = 'bkmgn-h';
const NS_IF = 'bkmgn-n';
const HOST_IP = '10.252.96.1';
const DEST_IP = '10.252.96.2';
const WEB_PORT = 21630;
const TLS_PORT = 21640;
const SSH_PORT = 21641;
const NGINX = '127.0.0.1:5000/library/nginx:latest';
const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const BERTH_JS = join(ROOT, 'dist', 'berth.mjs');
const tag = `mg${process.pid}`;

const dir = mkdtempSync(join(tmpdir(), 'berth-migrate-'));
const SRV = join(dir, 'srv');
const CERTS = join(dir, 'client');
const SSH = join(dir, 'ssh');
const DOCKER_CONFIG = join(dir, 'docker-config');
const dest = new PrivateDaemon({
  name: 'bkmgn',
  bip: '10.250.6.1/24',
  netns: NS,
  config: {
    hosts: ['unix:///run/berth-bkmgn/berth.sock', `tcp://${DEST_IP}:${TLS_PORT}`],
    tlsverify: true,
    tlscacert: join(SRV, 'ca.pem'),
    tlscert: join(SRV, 'cert.pem'),
    tlskey: join(SRV, 'key.pem'),
  },
});
const containers: string[] = [];
const volumes: string[] = [];
// The destination's side: berth on the PATH for `system dial-stdio`, DOCKER_HOST at its socket.
const sshd = new ThrowawaySshd({ dir: SSH, port: SSH_PORT, listenAddress: DEST_IP, dockerHost: dest.host, bins: { berth: BERTH_JS }, netns: NS });

function sh(cmd: string, args: string[], allowFail = false): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (!allowFail) assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

function removeNamespace(): void {
  sh('ip', ['netns', 'del', NS], true);
  sh('ip', ['link', 'del', HOST_IF], true);
}

/** The CLI on the source side, with the ssh wrapper (throwaway key and known_hosts) on its PATH. */
function cli(...args: string[]): Promise<RunResult> {
  return run(process.execPath, [BERTH_JS, '-H', TEST_HOST, ...args], {
    env: { PATH: `${sshd.clientBin}:${process.env.PATH}`, DOCKER_CONFIG },
    timeoutMs: 180_000,
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await berth(...args);
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  // What an interrupted run left: its destination daemon (and containers), its namespace.
  await dest.remove();
  removeNamespace();
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF, 'netns', NS]);
  sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', HOST_IF]);
  sh('ip', ['link', 'set', HOST_IF, 'up']);
  sh('ip', ['netns', 'exec', NS, 'sh', '-c', `ip addr add ${DEST_IP}/30 dev ${NS_IF} && ip link set ${NS_IF} up && ip link set lo up`]);
  const r = await run(process.execPath, [BERTH_JS, 'tls', 'init', '--dir', SRV, '--client-dir', CERTS, '--ip', DEST_IP, '--client-name', 'migrator']);
  assert.equal(r.code, 0, r.stderr);
  await dest.start();
  sshd.start();
  let v: RunResult | undefined;
  for (let i = 0; i < 50; i++) {
    v = await cli('-H', `ssh://root@${DEST_IP}:${SSH_PORT}`, 'version', '--format', '{{.Server.Version}}');
    if (v.code === 0) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  assert.equal(v!.code, 0, `${v!.stderr}\n${sshd.log}`);
});

after(async () => {
  for (const c of containers) await berth('rm', '-f', c);
  for (const v of volumes) await berth('volume', 'rm', '-f', v);
  await sshd.stop();
  for (const v of ((await dest.client.call('GET', '/volumes').catch(() => ({ Volumes: [] }))) as { Volumes: { Name: string }[] }).Volumes ?? []) {
    await dest.client.call('DELETE', `/volumes/${v.Name}`, { query: { force: '1' } }).catch(() => undefined);
  }
  await dest.remove();
  removeNamespace();
  rmSync(dir, { recursive: true, force: true });
});

function httpText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}


const inspect = (name: string) => api().call<Record<string, any>>('GET', `/containers/${name}/json`);
const inspectDest = (name: string) => dest.client.call<Record<string, any>>('GET', `/containers/${name}/json`);

/** The destination's containers, volumes and user networks, by name. */
async function destState(): Promise<{ containers: string[]; volumes: string[]; networks: string[]; images: string[] }> {
  const cs = (await dest.client.call('GET', '/containers/json', { query: { all: '1' } })) as { Names: string[] }[];
  const vs = ((await dest.client.call('GET', '/volumes')) as { Volumes: { Name: string }[] }).Volumes ?? [];
  const ns = (await dest.client.call('GET', '/networks')) as { Name: string }[];
  const is = (await dest.client.call('GET', '/images/json')) as { Id: string }[];
  return {
    images: is.map((i) => i.Id).sort(),
    containers: cs.map((c) => c.Names[0]!).sort(),
    volumes: vs.map((v) => v.Name).sort(),
    networks: ns.map((n) => n.Name).filter((n) => !['bridge', 'host', 'none'].includes(n)).sort(),
  };
}

let firstSent = 0;

test('migrate over ssh:// into another network namespace: serving there, the source stopped only after', async () => {
  const web = `${tag}-web`;
  const vol = `${tag}-webvol`;
  containers.push(web);
  volumes.push(vol);
  await ok('run', '-d', '--name', web, '-p', `${WEB_PORT}:80`, '-v', `${vol}:/var/www/html`, NGINX);
  await ok('exec', web, 'sh', '-c', 'echo page-over-ssh > /var/www/html/index.html');

  // The gate of upgrades: running for 2 s without a restart, and the probe answering there.
  const r = await cli('migrate', web, `ssh://root@${DEST_IP}:${SSH_PORT}`, '--wait', '2s', '--probe', 'http://:80/');
  assert.equal(r.code, 0, `${r.stderr}\n${sshd.log}`);
  const layers = ((await api().call('GET', `/images/${NGINX}/json`)) as { RootFS: { Layers: string[] } }).RootFS.Layers.length;
  const m = /^Sent (\d+) bytes; 0 of (\d+) image layers were on the destination already$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.equal(Number(m[2]), layers);
  firstSent = Number(m[1]);
  const there = await inspectDest(web);
  assert.equal(there.State.Running, true);
  // The same host port, published in the destination's namespace, answers on its address.
  assert.equal(await eventually(() => httpText(`http://${DEST_IP}:${WEB_PORT}/`)), 'page-over-ssh\n');
  assert.deepEqual(((await dest.client.call('GET', `/volumes/${vol}`)) as { Name: string }).Name, vol);
  const here = await inspect(web);
  assert.equal(here.State.Running, false, 'the source is stopped once the destination serves');
  assert.ok(Date.parse(here.State.FinishedAt) >= Date.parse(there.State.StartedAt), 'the source stopped after the destination started');
  assert.equal(here.Config.Labels['berth.migrated-to'], `ssh://root@${DEST_IP}:${SSH_PORT}`, 'the source is kept, labelled with where it went');
  assert.ok(!Number.isNaN(Date.parse(here.Config.Labels['berth.migrated-at'])));
  assert.equal(there.Config.Labels['berth.migrated-to'], undefined, 'the destination container does not carry the label');
});

test('migrate over tcp:// with mutual TLS: a container with a healthcheck is healthy there before the source stops', async () => {
  const hc = `${tag}-hc`;
  containers.push(hc);
  await ok(
    'run', '-d', '--name', hc, '--health-cmd', 'test -e /www/index.html', '--health-interval', '1s', '--health-retries', '1',
    BUSYBOX, 'sh', '-c', 'mkdir -p /www && echo tls-page > /www/index.html && exec httpd -f -p 80 -h /www',
  );
  const tcp = `tcp://${DEST_IP}:${TLS_PORT}`;
  // Without a client certificate the destination does not answer.
  let r = await cli('migrate', hc, tcp);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot reach the destination/);
  assert.equal((await inspect(hc)).State.Running, true);

  r = await cli('migrate', hc, tcp, '--dest-cert-path', CERTS);
  assert.equal(r.code, 0, r.stderr);
  const there = await inspectDest(hc);
  assert.equal(there.State.Running, true);
  assert.equal(there.State.Health.Status, 'healthy');
  const here = await inspect(hc);
  assert.equal(here.State.Running, false);
  // The healthy verdict came before the source's stop.
  const healthyAt = Date.parse((there.State.Health.Log as { End: string; ExitCode: number }[]).find((l) => l.ExitCode === 0)!.End);
  assert.ok(Date.parse(here.State.FinishedAt) >= healthyAt, 'the source stopped after the destination was healthy');
});

test('a destination that fails leaves the source running and the destination clean', async () => {
  const before = await destState();
  // A port the destination already publishes: refused there before anything is made.
  const web2 = `${tag}-web2`;
  containers.push(web2);
  await ok('run', '-d', '--name', web2, '-p', `${WEB_PORT}:80`, NGINX);
  let r = await cli('migrate', web2, `tcp://${DEST_IP}:${TLS_PORT}`, '--dest-cert-path', CERTS);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /migration failed, the source is still running: .*port is already allocated/);
  assert.equal((await inspect(web2)).State.Running, true);
  assert.deepEqual(await destState(), before);

  // Healthy where it runs, unhealthy at the destination (its check fails on the destination's
  // subnet): made and started there, then removed with its volume.
  const sick = `${tag}-sick`;
  containers.push(sick);
  await ok(
    'run', '-d', '--name', sick, '-v', '/anon-data', '--health-cmd', "! ip -4 addr show eth0 | grep -qF 'inet 10.250.6.'",
    '--health-interval', '1s', '--health-retries', '1', BUSYBOX, 'sleep', '600',
  );
  await eventually(async () => assert.equal((await inspect(sick)).State.Health?.Status, 'healthy'));
  r = await cli('migrate', sick, `ssh://root@${DEST_IP}:${SSH_PORT}`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /migration failed, the source is still running: the restored container failed the health gate \(unhealthy: the healthcheck failed/);
  const here = await inspect(sick);
  assert.equal(here.State.Running, true);
  assert.equal(here.State.Health.Status, 'healthy');
  assert.deepEqual(await destState(), before);
});

test('layers the destination has are not sent: a second nginx goes over in a much smaller stream', async () => {
  assert.ok(firstSent > 10 << 20, `the first migration sent the image (${firstSent} bytes)`);
  const web3 = `${tag}-web3`;
  const vol = `${tag}-web3vol`;
  containers.push(web3);
  volumes.push(vol);
  await ok('run', '-d', '--name', web3, '-v', `${vol}:/var/www/html`, NGINX);
  await ok('exec', web3, 'sh', '-c', 'echo third > /var/www/html/index.html');
  const layers = ((await api().call('GET', `/images/${NGINX}/json`)) as { RootFS: { Layers: string[] } }).RootFS.Layers;
  // The negotiation endpoint: the destination has every nginx layer, and not a made-up one.
  const made = `sha256:${'0'.repeat(64)}`;
  const have = (await dest.client.call('GET', '/berth/v1/images/have', { query: { digests: [...layers, made].join(',') } })) as { Have: string[] };
  assert.deepEqual(have.Have.sort(), [...new Set(layers)].sort());
  // Untag the image there (the container from the first test keeps it and its layers): the restore
  // loads it again from the archive's config and manifest and the layers the destination has.
  const untag = await run(process.execPath, [BERTH_JS, '-H', dest.host, 'rmi', '-f', NGINX]);
  assert.equal(untag.code, 0, untag.stderr);
  const r = await cli('migrate', web3, `tcp://${DEST_IP}:${TLS_PORT}`, '--dest-cert-path', CERTS, '--wait', '2s');
  assert.equal(r.code, 0, r.stderr);
  const m = /^Sent (\d+) bytes; (\d+) of (\d+) image layers were on the destination already$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.equal(Number(m[2]), layers.length);
  assert.ok(Number(m[1]) < firstSent / 20, `sent ${m[1]} bytes, the first migration ${firstSent}`);
  const there = await inspectDest(web3);
  assert.equal(there.State.Running, true);
  assert.equal(there.Image, (await inspect(web3)).Image);
  assert.equal(((await dest.client.call('GET', `/images/${NGINX}/json`)) as { Id: string }).Id, there.Image, 'the image is tagged there again');
  const destVol = (await dest.client.call('GET', `/volumes/${vol}`)) as { Mountpoint: string };
  assert.equal(readFileSync(join(destVol.Mountpoint, 'index.html'), 'utf8'), 'third\n');
});
