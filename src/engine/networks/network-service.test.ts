import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../common/logger.js';
import { BerthPaths } from '../../common/paths.js';
import { newId } from '../../common/ids.js';
import { openDatabase, type Db } from '../../store/database.js';
import type { EventInput } from '../events/event-bus.js';
import { NetworkService, type ContainerNetworkRequest } from './network-service.js';

const execFileAsync = promisify(execFile);

// Real namespaces, bridges and rules, on berth-test names and subnets so a running berthd is not disturbed.

const root = mkdtempSync(join(tmpdir(), 'berth-net-'));
const paths = new BerthPaths(join(root, 'data'), join(root, 'run'));
const config = { bridge: 'btest0', bip: '10.231.0.1/24', 'default-address-pools': [{ base: '10.232.0.0/16', size: 24 }] };
const events: EventInput[] = [];
let db: Db;
let svc: NetworkService;
const servers: ChildProcess[] = [];
const outsideNs = join(root, 'outside-ns');

function newService(): NetworkService {
  return new NetworkService({ db, paths, config, logger: silentLogger, events: { emit: (e) => events.push(e) }, firewallName: 'berthtest' });
}

function req(name: string, extra: Partial<ContainerNetworkRequest> = {}): ContainerNetworkRequest {
  const id = newId();
  return { id, name, hostname: id.slice(0, 12), networkMode: 'bridge', ...extra };
}

/** A TCP server in the namespace that answers every connection with `text`. */
function serveIn(netns: string, port: number, text: string): ChildProcess {
  const p = spawn('nsenter', [`--net=${netns}`, 'busybox', 'nc', '-ll', '-p', String(port), '-e', 'busybox', 'echo', text], { stdio: 'ignore' });
  servers.push(p);
  return p;
}

async function waitListening(netns: string, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    // busybox nc listens on IPv6 (::), node on either: look at both tables.
    const out = execFileSync('nsenter', [`--net=${netns}`, 'cat', '/proc/net/tcp', '/proc/net/tcp6'], { encoding: 'utf8' });
    if (new RegExp(`:${port.toString(16).toUpperCase().padStart(4, '0')} 0+:0000 0A`).test(out)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('server did not start');
}

function tcpRead(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let data = '';
    s.setTimeout(3000, () => s.destroy(new Error('timeout')));
    s.on('data', (d) => (data += d));
    s.on('end', () => resolve(data.trim()));
    s.on('error', reject);
  });
}

/** Connects from inside a namespace with busybox nc; '' when nothing answers. */
function ncFrom(netns: string, host: string, port: number): string {
  try {
    return execFileSync('nsenter', [`--net=${netns}`, 'busybox', 'nc', '-w', '2', host, String(port)], {
      encoding: 'utf8',
      input: '',
      stdio: ['pipe', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return '';
  }
}

function counts(): { links: number; rules: number; nft: number; netns: number } {
  const nsDir = join(paths.execRoot, 'netns');
  return {
    // Only what this service owns: other engines and tests change the host's totals meanwhile.
    links: bridgePorts(),
    rules: execFileSync('iptables-save', { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('-A') && l.includes('BERTHTEST')).length,
    nft: execFileSync('nft', ['list', 'table', 'ip', 'berthtest'], { encoding: 'utf8' }).split('\n').length,
    netns: existsSync(nsDir) ? readdirSync(nsDir).filter((f) => !svc.pooledNamespaces().includes(join(nsDir, f))).length : 0,
  };
}

/** veths on this service's bridges (the default one and each user network's). */
function bridgePorts(): number {
  const bridges = svc.list({ driver: ['bridge'] }).map((n) => (n.Name === 'bridge' ? config.bridge : `br-${n.Id.slice(0, 12)}`));
  return bridges.reduce((sum, b) => sum + (existsSync(`/sys/class/net/${b}/brif`) ? readdirSync(`/sys/class/net/${b}/brif`).length : 0), 0);
}

/** counts() once the kernel has finished freeing namespaces (it does so asynchronously). */
async function settledCounts(expected: ReturnType<typeof counts>): Promise<ReturnType<typeof counts>> {
  let now = counts();
  for (let i = 0; i < 100 && JSON.stringify(now) !== JSON.stringify(expected); i++) {
    await new Promise((r) => setTimeout(r, 20));
    now = counts();
  }
  return now;
}

before(async () => {
  db = openDatabase(':memory:');
  svc = newService();
  await svc.init();
});

// A test's servers go with it: one left running keeps its namespace, veth and address alive, and
// the next container given that address is answered by it.
afterEach(async () => {
  const done = servers.splice(0).filter((p) => p.exitCode === null && p.signalCode === null);
  await Promise.all(done.map((p) => new Promise((r) => (p.once('exit', r), p.kill('SIGKILL')))));
  // The kernel frees a namespace (and its veth) a moment after its last process: wait for the
  // bridge's ports to settle, so the next test starts from what is really there.
  if (!done.length) return;
  for (let i = 0, last = -1; i < 30; i++) {
    const now = bridgePorts();
    if (now === last) break;
    last = now;
    await new Promise((r) => setTimeout(r, 150));
  }
});

after(async () => {
  try {
    for (const p of servers) p.kill('SIGKILL');
    await svc.destroyAll();
  } finally {
    // Whatever happened above, leave no link, namespace mount or directory behind.
    if (existsSync('/sys/class/net/btout0')) execFileSync('ip', ['link', 'del', 'btout0']);
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${root}/`))
      .sort()
      .reverse();
    for (const m of mounts) execFileSync('umount', ['-l', m]);
    rmSync(root, { recursive: true, force: true });
  }
});

test('predefined networks are listed as Docker lists them', () => {
  const names = svc.list().map((n) => n.Name).sort();
  assert.deepEqual(names, ['bridge', 'host', 'none']);
  const bridge = svc.inspect('bridge');
  assert.equal(bridge.Driver, 'bridge');
  assert.deepEqual(bridge.IPAM.Config, [{ Subnet: '10.231.0.0/24', Gateway: '10.231.0.1' }]);
  assert.equal(bridge.Options['com.docker.network.bridge.name'], 'btest0');
  assert.ok(existsSync('/sys/class/net/btest0'));
  assert.throws(() => svc.inspect('nope'), /network nope not found/);
});

test('a published port answers on 127.0.0.1 and from another container (hairpin), with no extra process', async () => {
  const a = req('web', { portBindings: { '80/tcp': [{ HostIp: '', HostPort: '18080' }] }, exposedPorts: { '80/tcp': {} } });
  const setup = await svc.setupContainer(a);
  assert.equal(setup.settings.Networks.bridge!.IPAddress, '10.231.0.2');
  assert.equal(setup.settings.IPAddress, '10.231.0.2');
  assert.equal(setup.settings.MacAddress, '02:42:0a:e7:00:02');
  assert.deepEqual(setup.settings.Ports['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: '18080' }]);
  assert.match(setup.hostsFile, /^127\.0\.0\.1\tlocalhost\n/);
  assert.match(setup.hostsFile, new RegExp(`10\\.231\\.0\\.2\\t${a.hostname}\\n$`));
  assert.doesNotMatch(setup.resolvConf, /nameserver 127\./);
  serveIn(setup.netnsPath!, 80, 'hello-from-web');
  await waitListening(setup.netnsPath!, 80);
  assert.equal(await tcpRead('127.0.0.1', 18080), 'hello-from-web');

  const b = req('client');
  const sb = await svc.setupContainer(b);
  assert.equal(ncFrom(sb.netnsPath!, '10.231.0.1', 18080), 'hello-from-web');
  // hairpin to itself through the published port
  assert.equal(ncFrom(setup.netnsPath!, '10.231.0.1', 18080), 'hello-from-web');
  await svc.teardownContainer(b.id);
  await svc.teardownContainer(a.id);
  await assert.rejects(tcpRead('127.0.0.1', 18080));
});

test('-P publishes exposed ports on free ephemeral host ports', async () => {
  const c = req('pall', { exposedPorts: { '80/tcp': {}, '53/udp': {} }, publishAll: true });
  const setup = await svc.setupContainer(c);
  const tcp = Number(setup.settings.Ports['80/tcp']![0]!.HostPort);
  const udp = Number(setup.settings.Ports['53/udp']![0]!.HostPort);
  assert.ok(tcp >= 32768 && tcp <= 60999, `port ${tcp}`);
  assert.ok(udp >= 32768 && udp <= 60999, `port ${udp}`);
  serveIn(setup.netnsPath!, 80, 'random-port');
  await waitListening(setup.netnsPath!, 80);
  assert.equal(await tcpRead('127.0.0.1', tcp), 'random-port');
  await svc.teardownContainer(c.id);
});

test('port conflicts fail with Docker errors and leave nothing behind', async () => {
  const a = req('holder', { portBindings: { '80/tcp': [{ HostPort: '18081' }] } });
  await svc.setupContainer(a);
  const before = counts();
  const b = req('second', { portBindings: { '80/tcp': [{ HostPort: '18081' }] } });
  await assert.rejects(svc.setupContainer(b), /driver failed programming external connectivity on endpoint second \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:18081 failed: port is already allocated/);
  assert.deepEqual(await settledCounts(before), before);
  const host = createServer();
  await new Promise<void>((r) => host.listen(18082, '0.0.0.0', r));
  const c = req('third', { portBindings: { '80/tcp': [{ HostPort: '18082' }] } });
  await assert.rejects(svc.setupContainer(c), /Error starting userland proxy: listen tcp4 0\.0\.0\.0:18082: bind: address already in use/);
  host.close();
  assert.deepEqual(await settledCounts(before), before);
  await svc.teardownContainer(a.id);
});

test('containers on a user network resolve each other by name; networks are isolated', async () => {
  const { Id } = await svc.create({ Name: 'appnet', Labels: { app: 'x' } });
  const net = svc.inspect('appnet');
  assert.equal(net.Id, Id);
  const gw = net.IPAM.Config[0]!.Gateway!;
  assert.equal(net.IPAM.Config[0]!.Subnet, '10.232.0.0/24');
  const db1 = req('db', { networkMode: 'appnet', networks: { appnet: { Aliases: ['database'] } } });
  const app = req('app', { networkMode: 'appnet' });
  const s1 = await svc.setupContainer(db1);
  const s2 = await svc.setupContainer(app);
  assert.match(s2.resolvConf, new RegExp(`nameserver ${gw.replace(/\./g, '\\.')}\\n`));
  const ip1 = s1.settings.Networks.appnet!.IPAddress;
  assert.deepEqual(s1.settings.Networks.appnet!.DNSNames, ['db', 'database', db1.id.slice(0, 12)]);
  const r = new Resolver();
  r.setServers([gw]);
  assert.deepEqual(await r.resolve4('db'), [ip1]);
  assert.deepEqual(await r.resolve4('database'), [ip1]);
  assert.deepEqual(await r.resolve4('db.appnet'), [ip1]);
  await assert.rejects(r.resolve4('nosuchcontainer'), /ENOTFOUND|ESERVFAIL|ECONNREFUSED|ETIMEOUT/);
  // from inside the other container, through its resolv.conf nameserver
  // async: the DNS server answering lives in this process's event loop
  const { stdout: ns } = await execFileAsync('nsenter', [`--net=${s2.netnsPath!}`, 'busybox', 'nslookup', 'database', gw]);
  assert.match(ns, new RegExp(`Address: ${ip1.replace(/\./g, '\\.')}`));
  assert.deepEqual(Object.keys(svc.inspect('appnet').Containers).sort(), [db1.id, app.id].sort());

  // same network: reachable; default bridge → appnet: isolated
  serveIn(s1.netnsPath!, 80, 'db-answer');
  await waitListening(s1.netnsPath!, 80);
  assert.equal(ncFrom(s2.netnsPath!, ip1, 80), 'db-answer');
  const other = req('outsider');
  const s3 = await svc.setupContainer(other);
  assert.equal(ncFrom(s3.netnsPath!, ip1, 80), '');

  await assert.rejects(svc.remove('appnet'), /error while removing network: network appnet id [0-9a-f]{64} has active endpoints/);
  await assert.rejects(svc.remove('bridge'), /bridge is a pre-defined network and cannot be removed/);
  await svc.teardownContainer(other.id);
  await svc.teardownContainer(app.id);
  await svc.teardownContainer(db1.id);
  const pruned = await svc.prune({ label: ['app=x'] });
  assert.deepEqual(pruned.NetworksDeleted, ['appnet']);
  assert.ok(!existsSync(`/sys/class/net/br-${Id.slice(0, 12)}`));
});

test('outbound traffic is masqueraded; internal networks have no way out', async () => {
  // An "outside" host: a namespace the test creates, reached through a veth on the host.
  writeFileSync(outsideNs, '');
  execFileSync('unshare', [`--net=${outsideNs}`, 'ip', 'link', 'set', 'lo', 'up']);
  execFileSync('ip', ['link', 'add', 'btout0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outsideNs]);
  execFileSync('ip', ['addr', 'add', '10.233.0.1/24', 'dev', 'btout0']);
  execFileSync('ip', ['link', 'set', 'btout0', 'up']);
  execFileSync('nsenter', [`--net=${outsideNs}`, 'sh', '-c', 'ip addr add 10.233.0.2/24 dev eth0 && ip link set eth0 up']);
  // The outside server answers with the address the connection came from.
  const script = "require('net').createServer(s=>s.end(s.remoteAddress+'\\n')).listen(80)";
  servers.push(spawn('nsenter', [`--net=${outsideNs}`, process.execPath, '-e', script], { stdio: 'ignore' }));
  await waitListening(outsideNs, 80);

  const c = req('egress');
  const s = await svc.setupContainer(c);
  assert.equal(ncFrom(s.netnsPath!, '10.233.0.2', 80).replace('::ffff:', ''), '10.233.0.1');

  await svc.create({ Name: 'sealed', Internal: true });
  const i = req('sealed-one', { networkMode: 'sealed' });
  const si = await svc.setupContainer(i);
  assert.equal(ncFrom(si.netnsPath!, '10.233.0.2', 80), '');
  await svc.teardownContainer(i.id);
  await svc.teardownContainer(c.id);
  await svc.remove('sealed');
});

test('100 setup/teardown cycles leak nothing; setup time is measured', async () => {
  const before = counts();
  const setupMs: number[] = [];
  const teardownMs: number[] = [];
  for (let i = 0; i < 100; i++) {
    const c = req(`cycle${i}`, i % 2 ? { portBindings: { '80/tcp': [{ HostPort: '18090' }] } } : {});
    const t0 = performance.now();
    await svc.setupContainer(c);
    const t1 = performance.now();
    await svc.teardownContainer(c.id);
    setupMs.push(t1 - t0);
    teardownMs.push(performance.now() - t1);
  }
  assert.deepEqual(await settledCounts(before), before);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(1);
  const plain = (xs: number[]) => xs.filter((_, i) => i % 2 === 0);
  const published = (xs: number[]) => xs.filter((_, i) => i % 2 === 1);
  console.log(
    `network setup/teardown median: no ports ${median(plain(setupMs))}/${median(plain(teardownMs))} ms,` +
      ` one published port ${median(published(setupMs))}/${median(published(teardownMs))} ms`,
  );
});

test('reconcile removes sandboxes of containers that died while berthd was down', async () => {
  const c = req('ghost', { portBindings: { '80/tcp': [{ HostPort: '18095' }] } });
  const s = await svc.setupContainer(c);
  await svc.close();
  svc = newService();
  await svc.init();
  await svc.reconcile(new Set());
  assert.ok(!existsSync(s.netnsPath!));
  assert.doesNotMatch(execFileSync('nft', ['list', 'table', 'ip', 'berthtest'], { encoding: 'utf8' }), /18095/);
  // the address is free again
  const d = req('next');
  const sd = await svc.setupContainer(d);
  assert.equal(sd.settings.IPAddress, s.settings.IPAddress);
  await svc.teardownContainer(d.id);
});

test('network names are free text; IPAM is kept as given (Options null, aux addresses, IPv6 pools)', async () => {
  await assert.rejects(svc.create({ Name: '  ' }), /invalid name: name is empty/);
  await assert.rejects(svc.create({ Name: 'bridge' }), /operation is not permitted on predefined bridge network/);
  const { Id } = await svc.create({
    Name: 'test 01',
    EnableIPv6: true,
    IPAM: {
      Driver: 'default',
      Config: [
        { Subnet: '10.233.0.0/24', IPRange: '10.233.0.128/25', Gateway: '10.233.0.254', AuxiliaryAddresses: { a: '10.233.0.130' } },
        { Subnet: '2001:389::/64' },
      ],
    },
  });
  const net = svc.inspect('test 01');
  assert.equal(net.Id, Id);
  assert.equal(net.IPAM.Options, null);
  assert.equal(net.EnableIPv6, true);
  assert.deepEqual(net.IPAM.Config, [
    { Subnet: '10.233.0.0/24', IPRange: '10.233.0.128/25', Gateway: '10.233.0.254', AuxiliaryAddresses: { a: '10.233.0.130' } },
    { Subnet: '2001:389::/64', Gateway: '2001:389::1' },
  ]);
  assert.ok(existsSync(`/sys/class/net/br-${Id.slice(0, 12)}`), 'the bridge is named after the id');
  // The auxiliary address is never handed out: the range starts at .128, .130 is skipped.
  const reqs = [0, 1, 2].map((i) => req(`aux${i}`, { networkMode: 'test 01' }));
  const ips: string[] = [];
  for (const r of reqs) ips.push((await svc.setupContainer(r)).settings.Networks['test 01']!.IPAddress);
  assert.deepEqual(ips, ['10.233.0.128', '10.233.0.129', '10.233.0.131']);
  for (const r of reqs) await svc.teardownContainer(r.id);
  await svc.remove('test 01');
  const cli = await svc.create({ Name: 'cli-net', IPAM: { Driver: 'default', Options: {}, Config: [] } });
  assert.deepEqual(svc.inspect(cli.Id).IPAM.Options, {});
  await svc.remove(cli.Id);
});

test('endpoint IPv6, link-local addresses, driver options and links are kept; a link alias resolves for its container only', async () => {
  await svc.create({ Name: 'linknet', EnableIPv6: true, IPAM: { Config: [{ Subnet: '2001:db8:7::/64' }] } });
  const target = req('upstream', { networkMode: 'linknet' });
  const linker = req('linker', {
    networkMode: 'linknet',
    networks: {
      linknet: {
        IPAMConfig: { IPv6Address: '2001:db8:7::f00d', LinkLocalIPs: ['169.254.8.8'] },
        DriverOpts: { 'com.example.opt': 'on' },
        Links: ['upstream:bar'],
      },
    },
  });
  const other = req('other', { networkMode: 'linknet' });
  await assert.rejects(
    svc.setupContainer(req('bad', { networkMode: 'linknet', networks: { linknet: { IPAMConfig: { IPv6Address: '2001:db8:8::1' } } } })),
    /invalid endpoint settings:\nno configured subnet contains IP address 2001:db8:8::1/,
  );
  const sl = await svc.setupContainer(linker);
  const ep = sl.settings.Networks.linknet!;
  assert.deepEqual(ep.IPAMConfig, { IPv6Address: '2001:db8:7::f00d', LinkLocalIPs: ['169.254.8.8'] });
  assert.deepEqual(ep.DriverOpts, { 'com.example.opt': 'on' });
  assert.deepEqual(ep.Links, ['upstream:bar']);
  const idle = svc.idleSettings(linker).Networks.linknet!;
  assert.deepEqual([idle.IPAMConfig, idle.DriverOpts, idle.Links], [ep.IPAMConfig, ep.DriverOpts, ep.Links]);
  // The link target may come later: the alias is looked up at query time.
  const st = await svc.setupContainer(target);
  const so = await svc.setupContainer(other);
  const gw = svc.inspect('linknet').IPAM.Config[0]!.Gateway!;
  const upstreamIp = st.settings.Networks.linknet!.IPAddress;
  const { stdout } = await execFileAsync('nsenter', [`--net=${sl.netnsPath!}`, 'busybox', 'nslookup', 'bar', gw]);
  assert.match(stdout, new RegExp(`Address: ${upstreamIp.replace(/\./g, '\\.')}`));
  const fromOther = await execFileAsync('nsenter', [`--net=${so.netnsPath!}`, 'busybox', 'nslookup', 'bar', gw]).catch((e: { stdout: string }) => e);
  assert.doesNotMatch(fromOther.stdout, new RegExp(`Address: ${upstreamIp.replace(/\./g, '\\.')}`));
  for (const c of [linker, target, other]) await svc.teardownContainer(c.id);
  await svc.remove('linknet');
});
