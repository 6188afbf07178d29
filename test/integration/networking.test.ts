import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApiClient, ApiError, readJsonLines } from '../helpers/raw-client.js';
import { api, berth, docker, ROOT, run, TEST_HOST, TEST_SOCKET } from '../helpers/daemon.js';
import { removeBridgeLeftovers } from '../helpers/bridge-leftovers.js';

// Networking through berthd, as users see it: published ports, -P, names on user networks,
// isolation, outbound NAT, conflicts, leaks after many runs, the docker CLI and docker-py.

const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';
const NGINX = '127.0.0.1:5000/library/nginx:latest';
const DEBIAN = '127.0.0.1:5000/library/debian:bookworm';
const PORT = 18480; // published host ports of this file: 18480-18489
const containers: string[] = [];
const networks: string[] = [];
const servers: ChildProcess[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'berth-nettest-'));
const outsideNs = join(scratch, 'outside');
const OUTSIDE_LINK = 'bnto0';

async function pull(ref: string): Promise<void> {
  const i = ref.lastIndexOf(':');
  const res = await api().stream('POST', '/images/create', { query: { fromImage: ref.slice(0, i), tag: ref.slice(i + 1) } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
}

async function start(body: Record<string, unknown>, name?: string): Promise<string> {
  const r = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, ...body }, query: { name } });
  containers.push(r.Id);
  await api().call('POST', `/containers/${r.Id}/start`);
  return r.Id;
}

async function createNetwork(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api().call('POST', '/networks/create', { body: { Name: name, ...extra } });
  networks.push(r.Id);
  return r.Id;
}

async function inspect(id: string): Promise<any> {
  return api().call('GET', `/containers/${id}/json`);
}

/** Runs a command in a new container and returns its exit code and output (docker CLI, --rm). */
async function runIn(args: string[]): Promise<{ code: number; out: string }> {
  const r = await docker('run', '--rm', ...args);
  return { code: r.code, out: (r.stdout + r.stderr).trim() };
}

/** One HTTP/1.0 GET from the host; the whole answer, or '' when nothing answers. */
function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let data = '';
    s.setTimeout(3000, () => s.destroy());
    s.on('connect', () => s.write('GET / HTTP/1.0\r\n\r\n'));
    s.on('data', (d) => (data += d));
    s.on('close', () => resolve(data));
    s.on('error', () => resolve(''));
  });
}

/** Waits until something answers on host:port. */
async function waitHttp(host: string, port: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const body = await httpGet(host, port);
    if (body) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  return '';
}

/** The host's first non-loopback IPv4 address. */
function hostAddress(): string {
  const out = execFileSync('ip', ['-o', '-4', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' });
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  assert.ok(m, 'the host has a global IPv4 address');
  return m[1]!;
}

/** What this daemon leaves on the host: veths on its bridges, its nft table, its namespace files. */
async function footprint(): Promise<{ veths: number; nftLines: number; netns: number }> {
  const nets: any[] = await api().call('GET', '/networks');
  const bridge = nets.find((n) => n.Name === 'bridge');
  const bridgeName: string = bridge.Options['com.docker.network.bridge.name'];
  const devices = [bridgeName, ...nets.filter((n) => n.Driver === 'bridge' && n.Name !== 'bridge').map((n) => `br-${n.Id.slice(0, 12)}`)];
  let veths = 0;
  for (const d of devices) if (existsSync(`/sys/class/net/${d}/brif`)) veths += readdirSync(`/sys/class/net/${d}/brif`).length;
  const table = bridgeName === 'berth0' ? 'berth' : bridgeName;
  const nftLines = execFileSync('nft', ['list', 'table', 'ip', table], { encoding: 'utf8' }).split('\n').length;
  // Namespace files: those of running containers and the few made ahead of time (at most 3).
  const nsDir = join(dirname(TEST_SOCKET), 'netns');
  const netns = existsSync(nsDir) ? readdirSync(nsDir).length : 0;
  return { veths, nftLines, netns };
}

before(async () => {
  await Promise.all([pull(BUSYBOX), pull(NGINX), pull(DEBIAN)]);
});

after(async () => {
  for (const p of servers) p.kill('SIGKILL');
  for (const id of containers) await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } }).catch(() => undefined);
  for (const id of networks) await api().call('DELETE', `/networks/${id}`).catch(() => undefined);
  if (existsSync(`/sys/class/net/${OUTSIDE_LINK}`)) execFileSync('ip', ['link', 'del', OUTSIDE_LINK]);
  if (existsSync(outsideNs)) {
    try {
      execFileSync('umount', [outsideNs]);
    } catch {
      // not mounted
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

test('nginx answers on a published port from the host and from another container', async () => {
  const id = await start({ Image: NGINX, HostConfig: { PortBindings: { '80/tcp': [{ HostPort: String(PORT) }] } } });
  assert.match(await waitHttp('127.0.0.1', PORT), /Welcome to nginx!/);
  assert.match(await httpGet(hostAddress(), PORT), /Welcome to nginx!/);
  const c = await inspect(id);
  assert.deepEqual(c.NetworkSettings.Ports['80/tcp'], [{ HostIp: '0.0.0.0', HostPort: String(PORT) }]);
  const ip: string = c.NetworkSettings.IPAddress;
  const gateway: string = c.NetworkSettings.Gateway;
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(c.NetworkSettings.Networks.bridge.IPAddress, ip);
  assert.equal(c.NetworkSettings.Networks.bridge.MacAddress, c.NetworkSettings.MacAddress);
  const listed: any[] = await api().call('GET', '/containers/json', { query: { filters: { id: [id] } } });
  assert.deepEqual(
    listed[0].Ports.filter((p: any) => p.IP === '0.0.0.0'),
    [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: PORT, Type: 'tcp' }],
  );
  // From a container: straight to the address, and through the host's published port (hairpin).
  const direct = await runIn([BUSYBOX, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} 80`]);
  assert.match(direct.out, /Welcome to nginx!/);
  const published = await runIn([BUSYBOX, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${gateway} ${PORT}`]);
  assert.match(published.out, /Welcome to nginx!/);
  const port = await docker('port', id);
  assert.equal(port.stdout, `80/tcp -> 0.0.0.0:${PORT}\n`);
  await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } });
  assert.equal(await httpGet('127.0.0.1', PORT), '');
});

test('-P publishes exposed ports on free host ports', async () => {
  const id = await start({ Image: NGINX, HostConfig: { PublishAllPorts: true } });
  const c = await inspect(id);
  const binding = c.NetworkSettings.Ports['80/tcp']?.[0];
  assert.ok(binding, 'port 80 is published');
  assert.ok(Number(binding.HostPort) > 1024);
  assert.match(await waitHttp('127.0.0.1', Number(binding.HostPort)), /Welcome to nginx!/);
  await api().call('DELETE', `/containers/${id}`, { query: { force: '1' } });
});

test('containers on a user network find each other by name and alias; other networks are unreachable', async () => {
  await createNetwork('bnt-front');
  await createNetwork('bnt-back');
  const web = await start({ Cmd: ['httpd', '-f', '-p', '80', '-h', '/etc'], NetworkingConfig: { EndpointsConfig: { 'bnt-front': { Aliases: ['www'] } } }, HostConfig: { NetworkMode: 'bnt-front' } }, 'bnt-web');
  const webIp: string = (await inspect(web)).NetworkSettings.Networks['bnt-front'].IPAddress;
  assert.deepEqual((await inspect(web)).NetworkSettings.Networks['bnt-front'].Aliases, ['www']);
  const names = await runIn(['--network', 'bnt-front', DEBIAN, 'getent', 'hosts', 'bnt-web', 'www']);
  assert.equal(names.code, 0, names.out);
  assert.deepEqual(
    names.out.split('\n').map((l) => l.split(/\s+/)),
    [
      [webIp, 'bnt-web'],
      [webIp, 'www'],
    ],
  );
  const nsl = await runIn(['--network', 'bnt-front', BUSYBOX, 'nslookup', 'www']);
  assert.match(nsl.out, new RegExp(`Address: ${webIp.replace(/\./g, '\\.')}`));
  const fetched = await runIn(['--network', 'bnt-front', BUSYBOX, 'sh', '-c', `printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc -w 3 www 80`]);
  assert.match(fetched.out, new RegExp(web.slice(0, 12)));
  // Another network neither resolves nor reaches it.
  const other = await runIn(['--network', 'bnt-back', DEBIAN, 'getent', 'hosts', 'bnt-web']);
  assert.notEqual(other.code, 0);
  const blocked = await runIn(['--network', 'bnt-back', BUSYBOX, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${webIp} 80; echo rc=$?`]);
  assert.doesNotMatch(blocked.out, /HTTP\/1/);
  // The network lists the running container, and refuses removal while it runs (403 as in Docker).
  const net = await api().call('GET', '/networks/bnt-front');
  assert.equal(net.Containers[web].Name, 'bnt-web');
  await assert.rejects(api().call('DELETE', '/networks/bnt-front'), (e: ApiError) => e.status === 403 && /has active endpoints/.test(e.message));
});

test('connect and disconnect of a stopped container apply at its next start', async () => {
  await createNetwork('bnt-late');
  const r = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['sleep', '1000'] }, query: { name: 'bnt-late-c' } });
  containers.push(r.Id);
  await api().call('POST', '/networks/bnt-late/connect', { body: { Container: 'bnt-late-c', EndpointConfig: { Aliases: ['late'] } } });
  assert.deepEqual(Object.keys((await inspect(r.Id)).NetworkSettings.Networks).sort(), ['bnt-late', 'bridge']);
  assert.deepEqual((await api().call('GET', '/networks/bnt-late')).Containers, {});
  await api().call('POST', `/containers/${r.Id}/start`);
  const running = await inspect(r.Id);
  assert.match(running.NetworkSettings.Networks['bnt-late'].IPAddress, /^\d+\./);
  assert.ok((await api().call('GET', '/networks/bnt-late')).Containers[r.Id]);
  const ifaces = await docker('exec', r.Id, 'ip', '-o', '-4', 'addr');
  assert.match(ifaces.stdout, new RegExp(running.NetworkSettings.Networks['bnt-late'].IPAddress.replace(/\./g, '\\.')));
  await api().call('POST', `/containers/${r.Id}/stop`, { query: { t: '0' } });
  assert.deepEqual((await api().call('GET', '/networks/bnt-late')).Containers, {});
  await api().call('POST', '/networks/bnt-late/disconnect', { body: { Container: r.Id } });
  assert.deepEqual(Object.keys((await inspect(r.Id)).NetworkSettings.Networks), ['bridge']);
  await api().call('POST', `/containers/${r.Id}/start`);
  assert.deepEqual(Object.keys((await inspect(r.Id)).NetworkSettings.Networks), ['bridge']);
  await api().call('DELETE', `/containers/${r.Id}`, { query: { force: '1' } });
});

test('none, host and container: modes; --ip, --mac-address, --add-host, --dns, --dns-search, --hostname', async () => {
  const none = await runIn(['--network', 'none', BUSYBOX, 'ip', '-o', 'link']);
  assert.deepEqual(none.out.split('\n').map((l) => l.split(':')[1]!.trim()), ['lo']);
  const host = await runIn(['--network', 'host', BUSYBOX, 'hostname']);
  assert.equal(host.out, execFileSync('hostname', { encoding: 'utf8' }).trim());
  await createNetwork('bnt-static', { IPAM: { Config: [{ Subnet: '10.238.0.0/24' }] } });
  const first = await start({ Cmd: ['sleep', '1000'], HostConfig: { NetworkMode: 'bnt-static' } }, 'bnt-first');
  const shared = await runIn(['--network', 'container:bnt-first', BUSYBOX, 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
  assert.match(shared.out, /10\.238\.0\.2\//);
  const r = await runIn([
    '--network', 'bnt-static', '--ip', '10.238.0.77', '--mac-address', '02:42:0a:ee:00:99',
    '--add-host', 'db.example:192.0.2.77', '--dns', '192.0.2.53', '--dns-search', 'corp.example', '--hostname', 'box',
    BUSYBOX, 'sh', '-c', 'ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; cat /etc/hosts /etc/resolv.conf; hostname',
  ]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /10\.238\.0\.77\/24/);
  assert.match(r.out, /02:42:0a:ee:00:99/);
  assert.match(r.out, /192\.0\.2\.77\tdb\.example/);
  assert.match(r.out, /10\.238\.0\.77\tbox/);
  assert.match(r.out, /search corp\.example/);
  assert.match(r.out, /\nbox$/);
  await api().call('DELETE', `/containers/${first}`, { query: { force: '1' } });
});

test('outbound traffic leaves masqueraded as the host', async () => {
  // The "outside": a namespace the test makes, behind a veth of the host; never a real address.
  writeFileSync(outsideNs, '');
  execFileSync('unshare', [`--net=${outsideNs}`, 'true']);
  execFileSync('ip', ['link', 'add', OUTSIDE_LINK, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outsideNs]);
  execFileSync('ip', ['addr', 'add', '10.239.0.1/24', 'dev', OUTSIDE_LINK]);
  execFileSync('ip', ['link', 'set', OUTSIDE_LINK, 'up']);
  execFileSync('nsenter', [`--net=${outsideNs}`, 'sh', '-c', 'ip addr add 10.239.0.2/24 dev eth0 && ip link set eth0 up && ip link set lo up']);
  const script = "require('net').createServer(s=>s.end(s.remoteAddress+'\\n')).listen(80)";
  servers.push(spawn('nsenter', [`--net=${outsideNs}`, process.execPath, '-e', script], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 300));
  await createNetwork('bnt-out');
  const seen = await runIn(['--network', 'bnt-out', BUSYBOX, 'nc', '-w', '3', '10.239.0.2', '80']);
  assert.equal(seen.out.replace('::ffff:', ''), '10.239.0.1');
  await createNetwork('bnt-sealed', { Internal: true });
  const sealed = await runIn(['--network', 'bnt-sealed', BUSYBOX, 'nc', '-w', '2', '10.239.0.2', '80']);
  assert.doesNotMatch(sealed.out, /^(::ffff:)?10\.239\.0\.1$/m);
  assert.notEqual(sealed.code, 0);
});

test('a port conflict fails with Docker\'s message and leaves nothing behind', async () => {
  const before = await footprint();
  const a = await start({ Cmd: ['sleep', '1000'], HostConfig: { PortBindings: { '80/tcp': [{ HostPort: String(PORT + 1) }] } } });
  const r = await docker('run', '-d', '-p', `${PORT + 1}:80`, BUSYBOX, 'sleep', '1000');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${PORT + 1} failed: port is already allocated`));
  const failed = r.stdout.trim();
  if (failed) containers.push(failed);
  await api().call('DELETE', `/containers/${a}`, { query: { force: '1' } });
  if (failed) await api().call('DELETE', `/containers/${failed}`, { query: { force: '1' } });
  // A veth goes with its namespace, which the kernel frees once the last process in it is gone:
  // a moment after the DELETE answers. Wait (bounded) for that, then compare.
  let now = await footprint();
  for (let i = 0; i < 30 && now.veths !== before.veths; i++) {
    await new Promise((r) => setTimeout(r, 100));
    now = await footprint();
  }
  assert.equal(now.veths, before.veths);
  assert.equal(now.nftLines, before.nftLines);
  assert.ok(now.netns <= before.netns + 3);
});

test('100 docker run --rm cycles with a published port and on a user network leak nothing', async () => {
  await createNetwork('bnt-cycle');
  await runIn(['--network', 'bnt-cycle', BUSYBOX, 'true']);
  const before = await footprint();
  for (let i = 0; i < 100; i++) {
    const r = i % 2 ? await runIn(['-p', `${PORT + 2}:80`, BUSYBOX, 'true']) : await runIn(['--network', 'bnt-cycle', BUSYBOX, 'true']);
    assert.equal(r.code, 0, r.out);
  }
  const now = await footprint();
  assert.deepEqual(now, before);
  // Every address was given back: the next container gets the network's first one again.
  const ip = await runIn(['--network', 'bnt-cycle', BUSYBOX, 'sh', '-c', "ip -o -4 addr show eth0 | awk '{print $4}'"]);
  const net = await api().call('GET', '/networks/bnt-cycle');
  assert.equal(ip.out, net.IPAM.Config[0].Subnet.replace(/\.0\/(\d+)$/, '.2/$1'));
});

test('the docker CLI manages networks', async () => {
  const created = await docker('network', 'create', '--subnet', '10.237.0.0/24', '--gateway', '10.237.0.254', '--label', 'k=v', 'bnt-cli');
  assert.equal(created.code, 0, created.stderr);
  networks.push(created.stdout.trim());
  const ls = await docker('network', 'ls', '--filter', 'label=k=v', '--format', '{{.Name}} {{.Driver}} {{.Scope}}');
  assert.equal(ls.stdout, 'bnt-cli bridge local\n');
  const table = await docker('network', 'ls');
  assert.match(table.stdout, /^NETWORK ID {5}NAME +DRIVER +SCOPE\n/);
  const ins = await docker('network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}', 'bnt-cli');
  assert.equal(ins.stdout, '10.237.0.0/24 10.237.0.254\n');
  const c = await docker('run', '-d', '--name', 'bnt-cli-c', BUSYBOX, 'sleep', '1000');
  containers.push(c.stdout.trim());
  assert.equal((await docker('network', 'connect', '--ip', '10.237.0.9', '--alias', 'cli', 'bnt-cli', 'bnt-cli-c')).code, 0);
  const addr = await docker('inspect', '-f', '{{(index .NetworkSettings.Networks "bnt-cli").IPAddress}}', 'bnt-cli-c');
  assert.equal(addr.stdout, '10.237.0.9\n');
  const busy = await docker('network', 'rm', 'bnt-cli');
  assert.notEqual(busy.code, 0);
  assert.match(busy.stderr, /has active endpoints/);
  assert.equal((await docker('network', 'disconnect', 'bnt-cli', 'bnt-cli-c')).code, 0);
  const gone = await docker('exec', 'bnt-cli-c', 'ip', '-o', '-4', 'addr');
  assert.doesNotMatch(gone.stdout, /10\.237\./);
  const rm = await docker('network', 'rm', 'bnt-cli');
  assert.equal(rm.stdout, 'bnt-cli\n');
  const missing = await docker('network', 'inspect', 'bnt-cli');
  assert.equal(missing.code, 1);
});

test('the berth CLI manages networks as docker does', async () => {
  const created = await berth('network', 'create', '--subnet', '10.235.0.0/24', '--ip-range', '10.235.0.128/25', '--internal', '-o', 'com.docker.network.bridge.enable_icc=true', 'bnt-berth');
  assert.equal(created.code, 0, created.stderr);
  networks.push(created.stdout.trim());
  const net = await api().call('GET', '/networks/bnt-berth');
  assert.deepEqual(net.IPAM.Config, [{ Subnet: '10.235.0.0/24', Gateway: '10.235.0.1', IPRange: '10.235.0.128/25' }]);
  assert.equal(net.Internal, true);
  const ls = await berth('network', 'ls', '-q', '--no-trunc', '--filter', 'name=bnt-berth');
  assert.equal(ls.stdout, `${net.Id}\n`);
  const table = await berth('network', 'ls', '--filter', 'name=bnt-berth');
  assert.equal(table.stdout, `NETWORK ID     NAME        DRIVER    SCOPE\n${net.Id.slice(0, 12)}   bnt-berth   bridge    local\n`);
  const c = await docker('run', '-d', BUSYBOX, 'sleep', '1000');
  containers.push(c.stdout.trim());
  const unknown = await berth('network', 'connect', 'bnt-nosuch', c.stdout.trim());
  assert.equal(unknown.stderr, 'Error response from daemon: network bnt-nosuch not found\n');
  assert.equal((await berth('network', 'connect', '--alias', 'b1', 'bnt-berth', c.stdout.trim())).code, 0);
  const aliases = await berth('inspect', '-f', '{{json (index .NetworkSettings.Networks "bnt-berth").Aliases}}', c.stdout.trim());
  assert.equal(aliases.stdout, '["b1"]\n');
  assert.match((await docker('exec', c.stdout.trim(), 'ip', '-o', '-4', 'addr')).stdout, /10\.235\.0\.128\//);
  const busy = await berth('network', 'rm', 'bnt-berth');
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /^Error response from daemon: error while removing network: network bnt-berth id [0-9a-f]{64} has active endpoints\n$/);
  assert.equal((await berth('network', 'disconnect', 'bnt-berth', c.stdout.trim())).code, 0);
  const prompt = await run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', TEST_HOST, 'network', 'prune', '--filter', 'label!=keep'], { input: 'n\n' });
  assert.equal(prompt.stdout, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ');
  assert.equal((await api().call('GET', '/networks/bnt-berth')).Name, 'bnt-berth');
  assert.equal((await berth('network', 'rm', 'bnt-berth')).stdout, 'bnt-berth\n');
  const port = await docker('run', '-d', '-p', `127.0.0.1:${PORT + 4}:80/udp`, BUSYBOX, 'sleep', '1000');
  containers.push(port.stdout.trim());
  assert.equal((await berth('port', port.stdout.trim())).stdout, `80/udp -> 127.0.0.1:${PORT + 4}\n`);
  assert.equal((await berth('port', port.stdout.trim(), '80/udp')).stdout, `127.0.0.1:${PORT + 4}\n`);
});

test('docker-py creates a network, runs a container on it and removes both', async () => {
  const script = `
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1])
net = c.networks.create('bnt-py', driver='bridge', ipam=docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet='10.236.0.0/24')]))
ctr = c.containers.run(sys.argv[2], ['sleep', '1000'], detach=True, network='bnt-py', ports={'80/tcp': ${PORT + 3}})
ctr.reload()
print(ctr.attrs['NetworkSettings']['Networks']['bnt-py']['IPAddress'])
print(ctr.ports)
net.reload()
print(len(net.containers))
ctr.remove(force=True)
net.remove()
print(len([n for n in c.networks.list() if n.name == 'bnt-py']))
`;
  const r = await run('python3', ['-c', script, TEST_HOST.replace('unix:///', 'unix:///'), BUSYBOX]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `10.236.0.2\n{'80/tcp': [{'HostIp': '0.0.0.0', 'HostPort': '${PORT + 3}'}]}\n1\n0\n`);
});

/** A private berthd (built dist/), so this test may kill it: own socket, roots, bridge and subnets. */
function startPrivateDaemon(dir: string): { client: ApiClient; stop: (signal: NodeJS.Signals) => Promise<void> } {
  const configFile = join(dir, 'berthd.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      hosts: [`unix://${dir}/run/berth.sock`],
      'data-root': join(dir, 'data'),
      'exec-root': join(dir, 'run'),
      bridge: 'bntk0',
      bip: '10.234.0.1/24',
      'default-address-pools': [{ base: '10.234.16.0/20', size: 24 }],
      'registry-mirrors': ['http://127.0.0.1:5000'],
    }),
  );
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'berthd.mjs'), '--config-file', configFile], { stdio: 'ignore', detached: true });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    client: new ApiClient(`unix://${dir}/run/berth.sock`),
    stop: async (signal) => {
      child.kill(signal);
      await exited;
    },
  };
}

async function waitPing(client: ApiClient): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await client.call('GET', '/_ping').then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('private berthd did not start');
}

function processGone(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      try {
        process.kill(pid, 0);
        setTimeout(check, 20);
      } catch {
        resolve();
      }
    };
    check();
  });
}

test('berthd restarted after kill -9 removes the network of a container that died meanwhile', async () => {
  const dir = mkdtempSync('/run/bntk-');
  const hostFootprint = () => ({
    links: execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').filter((l) => /\bmaster (bntk0|br-)/.test(l) && l.includes('veth')).length,
    nft: execFileSync('nft', ['list', 'table', 'ip', 'bntk0'], { encoding: 'utf8' }).split('\n').length,
    netns: readdirSync(join(dir, 'run', 'netns')).length,
  });
  let daemon = startPrivateDaemon(dir);
  try {
    await waitPing(daemon.client);
    const c = daemon.client;
    const res = await c.stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
    for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
    const net = await c.call('POST', '/networks/create', { body: { Name: 'bntk-net' } });
    const before = hostFootprint();
    const { Id } = await c.call('POST', '/containers/create', {
      body: { Image: BUSYBOX, Cmd: ['sleep', '1000'], HostConfig: { NetworkMode: 'bntk-net', PortBindings: { '80/tcp': [{ HostPort: String(PORT + 5) }] } } },
    });
    await c.call('POST', `/containers/${Id}/start`);
    const pid: number = (await c.call('GET', `/containers/${Id}/json`)).State.Pid;
    assert.notDeepEqual(hostFootprint(), before);
    // berthd dies, then the container (its conmon writes the exit file and leaves).
    await daemon.stop('SIGKILL');
    process.kill(pid, 'SIGKILL');
    await processGone(pid);
    daemon = startPrivateDaemon(dir);
    await waitPing(daemon.client);
    const after = hostFootprint();
    assert.equal(after.links, before.links);
    assert.equal(after.nft, before.nft);
    assert.ok(after.netns <= 0 + 3); // only namespaces made ahead of time, if any
    assert.doesNotMatch(execFileSync('nft', ['list', 'table', 'ip', 'bntk0'], { encoding: 'utf8' }), new RegExp(`${PORT + 5}`));
    assert.equal((await daemon.client.call('GET', `/containers/${Id}/json`)).State.Running, false);
    // The address is free again.
    const again = await daemon.client.call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['sleep', '1000'], HostConfig: { NetworkMode: 'bntk-net' } } });
    await daemon.client.call('POST', `/containers/${again.Id}/start`);
    const ip = (await daemon.client.call('GET', `/containers/${again.Id}/json`)).NetworkSettings.Networks['bntk-net'].IPAddress;
    assert.equal(ip, net && (await daemon.client.call('GET', '/networks/bntk-net')).IPAM.Config[0].Subnet.replace(/\.0\/\d+$/, '.2'));
    for (const id of [Id, again.Id]) await daemon.client.call('DELETE', `/containers/${id}`, { query: { force: '1' } });
    await daemon.client.call('DELETE', '/networks/bntk-net');
  } finally {
    await daemon.stop('SIGTERM').catch(() => undefined);
    // What a stopped berthd leaves for its containers by design: bridge, table, chains.
    if (existsSync('/sys/class/net/bntk0')) execFileSync('ip', ['link', 'del', 'bntk0']);
    removeBridgeLeftovers('bntk0');
    execFileSync('sh', ['-c', `grep -o "${dir}/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l; true`]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('networks keep what docker-py and the docker CLI send: free-text names, IPAM as given, endpoint IPv6, link-local IPs, driver options', async () => {
  const id = await createNetwork('bnt space 01', {
    EnableIPv6: true,
    IPAM: {
      Driver: 'default',
      Config: [
        { Subnet: '10.241.0.0/16', IPRange: '10.241.5.0/24', Gateway: '10.241.5.254', AuxiliaryAddresses: { a: '10.241.1.5' } },
        { Subnet: '2001:db8:241::/64' },
      ],
    },
  });
  const net = await api().call('GET', `/networks/${encodeURIComponent('bnt space 01')}`);
  assert.equal(net.Id, id);
  assert.equal(net.IPAM.Options, null);
  assert.deepEqual(net.IPAM.Config, [
    { Subnet: '10.241.0.0/16', IPRange: '10.241.5.0/24', Gateway: '10.241.5.254', AuxiliaryAddresses: { a: '10.241.1.5' } },
    { Subnet: '2001:db8:241::/64', Gateway: '2001:db8:241::1' },
  ]);
  const cli = await docker('network', 'inspect', '-f', '{{.Name}} {{json .IPAM.Options}} {{.EnableIPv6}}', 'bnt space 01');
  assert.equal(cli.stdout, 'bnt space 01 null true\n');

  const c = await docker('run', '-d', '--network', 'name=bnt space 01,ip6=2001:db8:241::f00d,link-local-ip=169.254.8.8,driver-opt=com.example.opt=on', BUSYBOX, 'sleep', '1000');
  assert.equal(c.code, 0, c.stderr);
  containers.push(c.stdout.trim());
  const ep = (await inspect(c.stdout.trim())).NetworkSettings.Networks['bnt space 01'];
  assert.deepEqual(ep.IPAMConfig, { IPv6Address: '2001:db8:241::f00d', LinkLocalIPs: ['169.254.8.8'] });
  assert.deepEqual(ep.DriverOpts, { 'com.example.opt': 'on' });
  assert.match(ep.IPAddress, /^10\.241\.5\.\d+$/);
  const outside = await docker('network', 'connect', '--ip6', '2001:db8:999::1', 'bnt-nosuch-net', c.stdout.trim());
  assert.equal(outside.code, 1);
  // Force does not excuse disconnecting what is not connected (dockerd answers an error).
  assert.equal((await docker('network', 'disconnect', '-f', 'bnt space 01', c.stdout.trim())).code, 0);
  const again = await docker('network', 'disconnect', '-f', 'bnt space 01', c.stdout.trim());
  assert.equal(again.stderr, `Error response from daemon: container ${c.stdout.trim()} is not connected to network bnt space 01\n`);
  assert.equal((await docker('network', 'rm', 'bnt space 01')).stdout, 'bnt space 01\n');
  const fromCli = await docker('network', 'create', 'bnt-cli-opts');
  networks.push(fromCli.stdout.trim());
  assert.equal((await docker('network', 'inspect', '-f', '{{json .IPAM.Options}}', 'bnt-cli-opts')).stdout, '{}\n');
  assert.equal((await docker('network', 'rm', 'bnt-cli-opts')).code, 0);
});

test('links on a user network: the alias resolves for the linking container, even to a container started later', async () => {
  await createNetwork('bnt-links');
  const me = await docker('run', '-d', '--name', 'bnt-linker', '--network', 'bnt-links', '--link', 'bnt-upstream:bar', BUSYBOX, 'sleep', '1000');
  assert.equal(me.code, 0, me.stderr);
  containers.push(me.stdout.trim());
  const settings = (await inspect('bnt-linker')).NetworkSettings.Networks['bnt-links'];
  assert.deepEqual(settings.Links, ['bnt-upstream:bar']);
  const other = await docker('run', '-d', '--network', 'bnt-links', BUSYBOX, 'sleep', '1000');
  containers.push(other.stdout.trim());
  const up = await docker('run', '-d', '--name', 'bnt-upstream', '--network', 'bnt-links', BUSYBOX, 'sleep', '1000');
  containers.push(up.stdout.trim());
  const ip = (await inspect('bnt-upstream')).NetworkSettings.Networks['bnt-links'].IPAddress;
  const found = await docker('exec', 'bnt-linker', 'nslookup', 'bar');
  assert.match(found.stdout, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`));
  const notForOthers = await docker('exec', other.stdout.trim(), 'nslookup', 'bar');
  assert.doesNotMatch(notForOthers.stdout, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`));
  // docker network connect --link, on a running container
  assert.equal((await docker('network', 'disconnect', 'bnt-links', other.stdout.trim())).code, 0);
  assert.equal((await docker('network', 'connect', '--link', 'bnt-upstream:baz', 'bnt-links', other.stdout.trim())).code, 0);
  assert.deepEqual((await inspect(other.stdout.trim())).NetworkSettings.Networks['bnt-links'].Links, ['bnt-upstream:baz']);
  assert.match((await docker('exec', other.stdout.trim(), 'nslookup', 'baz')).stdout, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`));
});

test('legacy links on the default bridge: env, /etc/hosts, inspect form, docker rm --link', async () => {
  const target = await docker('run', '-d', '--name', 'bnt-lweb', '-e', 'FOO=bar', '--expose', '80', '--expose', '81', '--expose', '53/udp', BUSYBOX, 'sleep', '1000');
  assert.equal(target.code, 0, target.stderr);
  containers.push(target.stdout.trim());
  const web = await inspect('bnt-lweb');
  const ip = web.NetworkSettings.Networks.bridge.IPAddress;
  const r = await runIn(['--name', 'bnt-me', '--add-host', 'extra:10.1.2.3', '--link', 'bnt-lweb:web-1', BUSYBOX, 'sh', '-c', 'env | grep ^WEB_1_ | sort; echo --; cat /etc/hosts']);
  assert.equal(r.code, 0, r.out);
  const [env, hosts] = r.out.split('--\n');
  const u = (p: string) => `${p}://${ip}:`;
  assert.deepEqual(env!.trim().split('\n'), [
    'WEB_1_ENV_FOO=bar',
    'WEB_1_NAME=/bnt-me/web-1',
    `WEB_1_PORT=${u('tcp')}80`,
    `WEB_1_PORT_53_UDP=${u('udp')}53`,
    `WEB_1_PORT_53_UDP_ADDR=${ip}`,
    'WEB_1_PORT_53_UDP_PORT=53',
    'WEB_1_PORT_53_UDP_PROTO=udp',
    `WEB_1_PORT_80_TCP=${u('tcp')}80`,
    `WEB_1_PORT_80_TCP_ADDR=${ip}`,
    `WEB_1_PORT_80_TCP_END=${u('tcp')}81`,
    'WEB_1_PORT_80_TCP_PORT=80',
    'WEB_1_PORT_80_TCP_PORT_END=81',
    'WEB_1_PORT_80_TCP_PORT_START=80',
    'WEB_1_PORT_80_TCP_PROTO=tcp',
    `WEB_1_PORT_80_TCP_START=${u('tcp')}80`,
    `WEB_1_PORT_81_TCP=${u('tcp')}81`,
    `WEB_1_PORT_81_TCP_ADDR=${ip}`,
    'WEB_1_PORT_81_TCP_PORT=81',
    'WEB_1_PORT_81_TCP_PROTO=tcp',
  ]);
  const lines = hosts!.trim().split('\n');
  assert.deepEqual(lines.slice(6, 8), ['10.1.2.3\textra', `${ip}\tweb-1 ${web.Config.Hostname} bnt-lweb`]);
  assert.match(lines[8]!, /^\d+\.\d+\.\d+\.\d+\t[0-9a-f]{12}$/);

  const parent = await docker('create', '--name', 'bnt-parent', '--link', 'bnt-lweb', BUSYBOX, 'true');
  containers.push(parent.stdout.trim());
  assert.equal((await docker('inspect', '-f', '{{json .HostConfig.Links}}', 'bnt-parent')).stdout, '["/bnt-lweb:/bnt-parent/bnt-lweb"]\n');
  const missing = await docker('rm', '--link', 'bnt-parent/nope');
  assert.equal(missing.stderr, 'Error response from daemon: No such container: bnt-parent/nope\n');
  const own = await docker('rm', '--link', 'bnt-parent');
  assert.equal(own.stderr, 'Error response from daemon: Conflict, cannot remove the default link name of the container\n');
  const removed = await docker('rm', '--link', '/bnt-parent/bnt-lweb');
  assert.equal(removed.stdout, '/bnt-parent/bnt-lweb\n');
  assert.equal((await docker('inspect', '-f', '{{json .HostConfig.Links}}', 'bnt-parent')).stdout, 'null\n');
  assert.equal((await inspect('bnt-lweb')).State.Running, true, 'the linked container stays');

  const bad = await docker('create', '--link', 'bnt-nosuch:x', BUSYBOX, 'true');
  assert.match(bad.stderr, /could not get container for bnt-nosuch: No such container: bnt-nosuch/);
  const host = await docker('create', '--network', 'host', '--link', 'bnt-lweb:x', BUSYBOX, 'true');
  assert.match(host.stderr, /conflicting options: host type networking can't be used with links/);
  const stopped = await docker('create', '--name', 'bnt-stopped', BUSYBOX, 'true');
  containers.push(stopped.stdout.trim());
  const toStopped = await runIn(['--link', 'bnt-stopped:s', BUSYBOX, 'true']);
  assert.notEqual(toStopped.code, 0);
  assert.match(toStopped.out, /Cannot link to a non running container: \/bnt-stopped AS \/[a-z_]+\/s/);
});
