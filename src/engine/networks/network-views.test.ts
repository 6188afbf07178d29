import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointRecord, NetworkDoc, SandboxRecord } from './network-types.js';
import { compactIpamConfig, endpointSettings, idleSettings, networkInspect, sandboxSettings, stripEmpty } from './network-views.js';
import { newNetworkDoc } from './predefined-networks.js';

// The inspect documents from records alone: what `docker network inspect` and a container's
// NetworkSettings show.

function net(id: string, name: string): NetworkDoc {
  return { ...newNetworkDoc(name, 'bridge', [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }], {}, {}, false), Id: id, BridgeName: `br-${id}` };
}

function ep(networkId: string, extra: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    networkId,
    containerId: 'c1',
    endpointId: `e-${networkId}`,
    containerName: 'web',
    dnsNames: [],
    aliases: [],
    ipAddress: '10.9.0.2',
    prefixLen: 24,
    gateway: '10.9.0.1',
    macAddress: '02:42:0a:09:00:02',
    hostVeth: 'vethx',
    ifName: 'eth0',
    ...extra,
  };
}

const bridge = net('n0', 'bridge');
const app = net('n1', 'app');

test('network inspect hides the bridge device and lists containers only when asked', () => {
  const full = networkInspect(app, [ep('n1')]);
  assert.ok(!('BridgeName' in full));
  assert.deepEqual(full.Containers, {
    c1: { Name: 'web', EndpointID: 'e-n1', MacAddress: '02:42:0a:09:00:02', IPv4Address: '10.9.0.2/24', IPv6Address: '' },
  });
  assert.deepEqual(networkInspect(app, undefined).Containers, {});
});

test('endpoint settings: empty lists are null, as Docker shows them', () => {
  const none = endpointSettings(app, undefined);
  assert.deepEqual([none.Aliases, none.Links, none.DNSNames, none.IPAMConfig, none.DriverOpts], [null, null, null, null, null]);
  assert.equal(none.NetworkID, 'n1');
  assert.equal(none.IPAddress, '');
  const live = endpointSettings(app, ep('n1', { aliases: ['db'], dnsNames: ['web', 'db'], staticIp: '10.9.0.2', links: ['a:b'], driverOpts: {} }));
  assert.deepEqual(live.Aliases, ['db']);
  assert.deepEqual(live.DNSNames, ['web', 'db']);
  assert.deepEqual(live.IPAMConfig, { IPv4Address: '10.9.0.2' });
  assert.deepEqual(live.Links, ['a:b']);
  assert.equal(live.DriverOpts, null);
  assert.equal(live.IPPrefixLen, 24);
});

test('a running container: ports grouped by container port, the default bridge repeated at the top', () => {
  const sb: SandboxRecord = {
    containerId: 'c1',
    containerName: 'web',
    mode: 'bridge',
    netnsPath: '/run/x/netns/c1',
    ports: [
      { proto: 'tcp', hostIp: '', hostPort: 8080, containerIp: '10.9.0.2', containerPort: 80 },
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8081, containerIp: '10.9.0.2', containerPort: 80 },
    ],
    dnsUpstreams: [],
    hostname: 'c1',
  };
  const s = sandboxSettings('c1', sb, [
    { network: bridge, endpoint: ep('n0', { ipAddress: '10.8.0.2', gateway: '10.8.0.1' }) },
    { network: app, endpoint: ep('n1', { ifName: 'eth1' }) },
  ], { '80/tcp': {}, '53/udp': {} });
  assert.equal(s.SandboxKey, '/run/x/netns/c1');
  assert.equal(s.SandboxID, 'c1');
  assert.deepEqual(s.Ports, {
    '80/tcp': [
      { HostIp: '0.0.0.0', HostPort: '8080' },
      { HostIp: '127.0.0.1', HostPort: '8081' },
    ],
    '53/udp': null,
  });
  assert.deepEqual(Object.keys(s.Networks), ['bridge', 'app']);
  assert.equal(s.IPAddress, '10.8.0.2');
  assert.equal(s.Gateway, '10.8.0.1');
  // On a user network only, the top-level fields stay empty.
  const user = sandboxSettings('c1', sb, [{ network: app, endpoint: ep('n1') }]);
  assert.equal(user.IPAddress, '');
  assert.equal(sandboxSettings('c1', undefined, []).SandboxID, '');
});

test('a container that is not running shows the networks it will join, as configured', () => {
  const find = (ref: string) => [bridge, app].find((n) => n.Name === ref || n.Id === ref);
  const s = idleSettings(
    {
      networkMode: 'default',
      macAddress: '02:42:00:00:00:01',
      exposedPorts: { '80/tcp': {} },
      networks: { default: { Aliases: [] }, app: { Aliases: ['db'], IPAMConfig: { IPv4Address: '10.9.0.9' } }, gone: {} },
    },
    find,
  );
  assert.deepEqual(s.Ports, { '80/tcp': null });
  assert.deepEqual(Object.keys(s.Networks), ['bridge', 'app']);
  assert.equal(s.Networks.bridge!.MacAddress, '02:42:00:00:00:01');
  assert.equal(s.Networks.bridge!.Aliases, null);
  assert.deepEqual(s.Networks.app!.Aliases, ['db']);
  assert.deepEqual(s.Networks.app!.IPAMConfig, { IPv4Address: '10.9.0.9' });
  assert.equal(s.Networks.app!.MacAddress, '');
  assert.equal(s.Networks.app!.IPAddress, '');
  assert.deepEqual(idleSettings({ networkMode: 'container:abc', networks: { app: {} } }, find).Networks, {});
});

test('empty endpoint fields never override what was set earlier', () => {
  assert.deepEqual(stripEmpty({ Aliases: [], MacAddress: '', IPAMConfig: { IPv4Address: '' }, Links: null, DriverOpts: {} }), {});
  assert.deepEqual(stripEmpty({ Aliases: ['a'], MacAddress: 'm' }), { Aliases: ['a'], MacAddress: 'm' });
  assert.equal(compactIpamConfig({ IPv4Address: '', LinkLocalIPs: [] }), null);
  assert.deepEqual(compactIpamConfig({ IPv6Address: '2001:db8::1', LinkLocalIPs: [] }), { IPv6Address: '2001:db8::1' });
});
