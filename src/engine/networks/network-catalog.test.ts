import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4ConfigEntry } from './network-addressing.js';
import { NetworkCatalog, type NetworkRecords } from './network-catalog.js';
import { parseSubnet } from './ipv4.js';
import type { EndpointRecord, NetworkDoc } from './network-types.js';
import { newNetworkDoc } from './predefined-networks.js';

// Finding networks as dockerd does, and the checks on a requested IPv4 pool, without a host.

function doc(name: string, id: string, bridge?: string): NetworkDoc {
  return { ...newNetworkDoc(name, 'bridge', [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }], {}, {}, false), Id: id.padEnd(64, '0'), ...(bridge ? { BridgeName: bridge } : {}) };
}

function records(networks: NetworkDoc[], endpoints: Partial<EndpointRecord>[] = []): NetworkRecords {
  const eps = endpoints as EndpointRecord[];
  return {
    listNetworks: () => networks,
    getNetwork: (id) => networks.find((n) => n.Id === id),
    endpointsOfContainer: (id) => eps.filter((e) => e.containerId === id),
  };
}

test('a network is found by id, by name, then by unique id prefix', () => {
  const a = doc('abc', 'abc1');
  const b = doc('other', 'abc2');
  const c = doc('abc1', 'f00d');
  const catalog = new NetworkCatalog(records([a, b, c]));
  assert.equal(catalog.find(a.Id), a);
  // A name wins over an id prefix, as in dockerd.
  assert.equal(catalog.find('abc1'), c);
  assert.equal(catalog.find('f0'), c);
  assert.throws(() => catalog.find('ab'), { name: 'InvalidArgumentError', message: 'network ab is ambiguous (2 matches found based on ID prefix)' });
  assert.throws(() => catalog.find('nope'), { name: 'NotFoundError', message: 'network nope not found' });
  assert.throws(() => catalog.find(''), /network {2}not found/);
});

test('bridge networks, the default gateway, and a container\'s networks in interface order', () => {
  const bridge = doc('bridge', 'b0', 'bt0');
  const app = doc('app', 'a0', 'br-a0');
  const host = { ...newNetworkDoc('host', 'host', [], {}, {}, false), Id: 'h0' };
  const catalog = new NetworkCatalog(
    records([bridge, app, host], [
      { containerId: 'c', networkId: app.Id, ifName: 'eth1' },
      { containerId: 'c', networkId: bridge.Id, ifName: 'eth0' },
      { containerId: 'c', networkId: 'gone', ifName: 'eth2' },
    ]),
  );
  assert.deepEqual(catalog.bridgeDevices(), ['bt0', 'br-a0']);
  assert.equal(catalog.defaultGateway(), '10.9.0.1');
  assert.deepEqual(catalog.containerNetworks('c').map((n) => n.Name), ['bridge', 'app']);
});

test('a requested pool is checked and reported in Docker\'s key order', () => {
  assert.deepEqual(Object.entries(ipv4ConfigEntry({ Subnet: '10.5.0.9/24', IPRange: '10.5.0.128/25', AuxiliaryAddresses: { r: '10.5.0.2' } }, [])), [
    ['Subnet', '10.5.0.0/24'],
    ['IPRange', '10.5.0.128/25'],
    ['Gateway', '10.5.0.1'],
    ['AuxiliaryAddresses', { r: '10.5.0.2' }],
  ]);
  assert.throws(() => ipv4ConfigEntry({ Subnet: '10.5.0.0/24' }, [parseSubnet('10.5.0.0/16')]), { name: 'ForbiddenError', message: 'Pool overlaps with other one on this address space' });
  assert.throws(() => ipv4ConfigEntry({ Subnet: '10.5.0.0/24', Gateway: '10.6.0.1' }, []), /no matching subnet for gateway 10\.6\.0\.1/);
  assert.throws(() => ipv4ConfigEntry({ Subnet: '10.5.0.0/24', IPRange: '10.7.0.0/25' }, []), /no matching subnet for range 10\.7\.0\.0\/25/);
  assert.throws(() => ipv4ConfigEntry({ Subnet: '10.5.0.0/24', AuxiliaryAddresses: { x: '10.8.0.1' } }, []), /invalid auxiliary address x: 10\.8\.0\.1 is not in subnet 10\.5\.0\.0\/24/);
});
