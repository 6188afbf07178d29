import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ApiError } from '../helpers/raw-client.js';
import { BUSYBOX, pullBusybox, removeContainers } from '../helpers/busybox.js';
import { api } from '../helpers/daemon.js';

// Each API version answered in dockerd's shape for it, checked against the live daemon (the
// gate tables themselves are covered row by row in src/api/versions/gates.test.ts).

const containers: string[] = [];
const volumes: string[] = [];
let network: string | undefined;

before(pullBusybox);
after(async () => {
  await removeContainers(containers);
  for (const v of volumes) await api().call('DELETE', `/volumes/${v}`).catch(() => undefined);
  if (network) await api().call('DELETE', `/networks/${network}`).catch(() => undefined);
});

async function refused(p: Promise<unknown>): Promise<ApiError> {
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as ApiError | undefined;
  assert.ok(err, 'the request was refused');
  return err;
}

test('image inspect: Container/ContainerConfig and VirtualSize below 1.45/1.44, the container-only Config keys below 1.50', async () => {
  const old = await api('1.41').call('GET', `/images/${BUSYBOX}/json`);
  assert.ok(old.ContainerConfig && typeof old.ContainerConfig === 'object', 'ContainerConfig at 1.41');
  assert.equal(old.ContainerConfig.Hostname, '');
  assert.equal(old.VirtualSize, old.Size);
  assert.equal(old.Config.Hostname, '');
  assert.equal(old.Config.Tty, false);
  const v145 = await api('1.45').call('GET', `/images/${BUSYBOX}/json`);
  assert.ok(!('ContainerConfig' in v145) && !('Container' in v145) && !('VirtualSize' in v145));
  assert.equal(v145.Config.Image, '');
  const now = await api('1.51').call('GET', `/images/${BUSYBOX}/json`);
  assert.ok(!('Hostname' in now.Config) && !('Image' in now.Config));
  for (const k of ['Cmd', 'Entrypoint', 'Env', 'Labels', 'OnBuild', 'User', 'Volumes', 'WorkingDir']) assert.ok(k in now.Config, k);
});

test('image list: Containers is -1 below 1.51, VirtualSize below 1.44', async () => {
  const find = (list: any[]) => list.find((i) => i.RepoTags.includes(BUSYBOX));
  const v150 = find(await api('1.50').call('GET', '/images/json'));
  assert.equal(v150.Containers, -1);
  assert.ok(!('VirtualSize' in v150));
  const v143 = find(await api('1.43').call('GET', '/images/json'));
  assert.equal(v143.VirtualSize, v143.Size);
  assert.equal(typeof find(await api('1.51').call('GET', '/images/json')).Containers, 'number');
  assert.notEqual(find(await api('1.51').call('GET', '/images/json')).Containers, -1);
});

test('volume prune takes named volumes too below 1.42; all=false then clashes with the added all=true', async () => {
  const name = `berth-versions-${process.pid}`;
  const mk = async () => {
    await api().call('POST', '/volumes/create', { body: { Name: name } });
    volumes.push(name);
  };
  await mk();
  const v142 = await api('1.42').call('POST', '/volumes/prune');
  assert.ok(!(v142.VolumesDeleted ?? []).includes(name));
  const v141 = await api('1.41').call('POST', '/volumes/prune');
  assert.ok(v141.VolumesDeleted.includes(name));
  const err = await refused(api('1.41').call('POST', '/volumes/prune', { query: { filters: JSON.stringify({ all: ['false'] }) } }));
  assert.equal(err.status, 400);
  assert.match(err.message, /only one value is expected/);
});

test('container inspect: Aliases hold the short ID and hostname below 1.45 on a user network', async () => {
  const net = await api().call('POST', '/networks/create', { body: { Name: `berth-versions-${process.pid}`, IPAM: { Config: [{ Subnet: '10.244.41.0/24' }] } } });
  network = net.Id;
  const { Id } = await api().call('POST', '/containers/create', {
    body: { Image: BUSYBOX, Cmd: ['true'], Hostname: 'web', HostConfig: { NetworkMode: net.Id }, NetworkingConfig: { EndpointsConfig: { [net.Id]: { Aliases: ['db'] } } } },
  });
  containers.push(Id);
  const aliases = async (v: string) => {
    const c = await api(v).call('GET', `/containers/${Id}/json`);
    return (Object.values(c.NetworkSettings.Networks)[0] as { Aliases: string[] | null }).Aliases;
  };
  assert.deepEqual(await aliases('1.44'), ['db', Id.slice(0, 12), 'web']);
  assert.deepEqual(await aliases('1.45'), ['db']);
});

test('container create: ConsoleSize ignored below 1.42, several networks refused below 1.44, Config.MacAddress warned about from 1.44', async () => {
  const create = async (v: string, body: Record<string, unknown>) => {
    const r = await api(v).call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['true'], ...body } });
    containers.push(r.Id);
    return r;
  };
  const old = await create('1.41', { HostConfig: { ConsoleSize: [30, 100] } });
  assert.deepEqual((await api().call('GET', `/containers/${old.Id}/json`)).HostConfig.ConsoleSize, [0, 0]);
  const now = await create('1.42', { HostConfig: { ConsoleSize: [30, 100] } });
  assert.deepEqual((await api().call('GET', `/containers/${now.Id}/json`)).HostConfig.ConsoleSize, [30, 100]);
  const err = await refused(create('1.43', { NetworkingConfig: { EndpointsConfig: { bridge: {}, none: {} } } }));
  assert.equal(err.status, 400);
  assert.match(err.message, /Container cannot be created with multiple network endpoints/);
  const mac = await create('1.44', { MacAddress: '02:42:ac:11:00:42' });
  assert.ok(mac.Warnings.some((w: string) => /container-wide MacAddress field is now deprecated/.test(w)), JSON.stringify(mac.Warnings));
  const macOld = await create('1.43', { MacAddress: '02:42:ac:11:00:43' });
  assert.deepEqual(macOld.Warnings, []);
});

test('info: BridgeNfIptables false below 1.50 and gone after; FirewallBackend from 1.49', async () => {
  const v149 = await api('1.49').call('GET', '/info');
  assert.equal(v149.BridgeNfIptables, false);
  assert.equal(v149.BridgeNfIp6tables, false);
  assert.ok(v149.FirewallBackend);
  assert.equal((await api('1.48').call('GET', '/info')).FirewallBackend, undefined);
  const v146 = await api('1.46').call('GET', '/info');
  assert.equal(v146.RegistryConfig.AllowNondistributableArtifactsCIDRs, null);
  const now = await api('1.51').call('GET', '/info');
  assert.ok(!('BridgeNfIptables' in now) && !('AllowNondistributableArtifactsCIDRs' in now.RegistryConfig));
  assert.ok(now.FirewallBackend?.Driver);
  const v124 = await api('1.24').call('GET', '/info');
  assert.ok(v124.SecurityOptions.includes('seccomp'), JSON.stringify(v124.SecurityOptions));
});

test('a committed image names its container and keeps its config below 1.45 (Container, ContainerConfig.Image)', async () => {
  const { Id } = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['true'] } });
  containers.push(Id);
  const repo = `berth-versions-commit-${process.pid}`;
  const img = (await api().call('POST', '/commit', { query: { container: Id, repo, tag: 'v1' } })).Id as string;
  try {
    const old = await api('1.41').call('GET', `/images/${img}/json`);
    assert.equal(old.Container, Id);
    assert.equal(old.ContainerConfig.Image, BUSYBOX);
    assert.deepEqual(old.ContainerConfig.Cmd, ['true']);
    const now = await api('1.45').call('GET', `/images/${img}/json`);
    assert.ok(!('Container' in now) && !('ContainerConfig' in now));
  } finally {
    await api().call('DELETE', `/images/${img}`).catch(() => undefined);
  }
});

test('image list: SharedSize with shared-size=1 from 1.42 (the layers an image has in common with others), -1 otherwise', async () => {
  const { Id } = await api().call('POST', '/containers/create', { body: { Image: BUSYBOX, Cmd: ['sh', '-c', 'echo x > /x'] } });
  containers.push(Id);
  await api().call('POST', `/containers/${Id}/start`);
  await api().call('POST', `/containers/${Id}/wait`);
  const child = (await api().call('POST', '/commit', { query: { container: Id, repo: `berth-versions-shared-${process.pid}`, tag: 'v1' } })).Id as string;
  try {
    const base = await api().call('GET', `/images/${BUSYBOX}/json`);
    const find = (list: any[], id: string) => list.find((i) => i.Id === id);
    const v142 = await api('1.42').call('GET', '/images/json', { query: { 'shared-size': '1' } });
    assert.equal(find(v142, base.Id).SharedSize, base.Size);
    assert.equal(find(v142, child).SharedSize, base.Size);
    const v141 = await api('1.41').call('GET', '/images/json', { query: { 'shared-size': '1' } });
    assert.equal(find(v141, base.Id).SharedSize, -1);
    assert.equal(find(await api('1.42').call('GET', '/images/json'), base.Id).SharedSize, -1);
  } finally {
    await api().call('DELETE', `/images/${child}`).catch(() => undefined);
  }
});
