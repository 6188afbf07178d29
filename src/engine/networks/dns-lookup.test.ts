import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsLookup, type DnsRecords } from './dns-lookup.js';
import type { EndpointRecord, NetworkDoc, SandboxRecord } from './network-types.js';
import { newNetworkDoc } from './predefined-networks.js';

// The embedded DNS server's answers from a fake store: no sockets, no namespaces.

function net(id: string, name: string, extra: Partial<NetworkDoc> = {}): NetworkDoc {
  return { ...newNetworkDoc(name, 'bridge', [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }], {}, {}, false), Id: id, ...extra };
}

function ep(networkId: string, containerId: string, ip: string, dnsNames: string[], extra: Partial<EndpointRecord> = {}): EndpointRecord {
  return {
    networkId,
    containerId,
    endpointId: `${containerId}-${networkId}`,
    containerName: dnsNames[0] ?? containerId,
    dnsNames,
    aliases: [],
    ipAddress: ip,
    prefixLen: 24,
    gateway: '10.9.0.1',
    macAddress: '02:42:00:00:00:00',
    hostVeth: 'vethx',
    ifName: 'eth0',
    ...extra,
  };
}

function fakeStore(networks: NetworkDoc[], endpoints: EndpointRecord[], sandboxes: SandboxRecord[] = []): DnsRecords {
  return {
    listNetworks: () => networks,
    getNetwork: (id) => networks.find((n) => n.Id === id),
    endpointsOfNetwork: (id) => endpoints.filter((e) => e.networkId === id),
    endpointsOfContainer: (id) => endpoints.filter((e) => e.containerId === id),
    getSandbox: (id) => sandboxes.find((s) => s.containerId === id),
  };
}

const front = net('n1', 'front');
const back = net('n2', 'back');
const bridge = net('n0', 'bridge');

test('a name resolves on its network, with or without the network suffix, whatever the case of the stored name', () => {
  const dns = new DnsLookup(fakeStore([front], [ep('n1', 'c1', '10.9.0.2', ['web', 'WWW'])]), () => []);
  assert.deepEqual(dns.lookup('n1', 'web'), ['10.9.0.2']);
  assert.deepEqual(dns.lookup('n1', 'www'), ['10.9.0.2']); // the server lowercases the question
  assert.deepEqual(dns.lookup('n1', 'web.front'), ['10.9.0.2']);
  assert.equal(dns.lookup('n1', 'nosuch'), undefined);
  assert.equal(dns.lookup('n9', 'web'), undefined);
});

test('every container with the alias answers (round robin is the client\'s)', () => {
  const dns = new DnsLookup(fakeStore([front], [ep('n1', 'a', '10.9.0.2', ['a', 'db']), ep('n1', 'b', '10.9.0.3', ['b', 'db'])]), () => []);
  assert.deepEqual(dns.lookup('n1', 'db'), ['10.9.0.2', '10.9.0.3']);
});

test('names of the asking container\'s other user networks resolve too, never the default bridge\'s', () => {
  const endpoints = [
    ep('n1', 'client', '10.9.0.5', ['client']),
    ep('n2', 'client', '10.8.0.5', ['client'], { ifName: 'eth1' }),
    ep('n0', 'client', '10.7.0.5', [], { ifName: 'eth2' }),
    ep('n2', 'api', '10.8.0.9', ['api']),
    ep('n0', 'legacy', '10.7.0.9', ['legacy']),
  ];
  const dns = new DnsLookup(fakeStore([front, back, bridge], endpoints), () => []);
  assert.deepEqual(dns.lookup('n1', 'api', '10.9.0.5'), ['10.8.0.9']);
  assert.equal(dns.lookup('n1', 'legacy', '10.9.0.5'), undefined);
  // Without a known client address, only the queried network answers.
  assert.equal(dns.lookup('n1', 'api'), undefined);
  assert.equal(dns.lookup('n1', 'api', '10.9.0.77'), undefined);
});

test('a link alias answers for the linking container only', () => {
  const endpoints = [ep('n1', 'linker', '10.9.0.2', ['linker'], { links: ['upstream:bar'] }), ep('n1', 'up', '10.9.0.3', ['upstream']), ep('n1', 'other', '10.9.0.4', ['other'])];
  const dns = new DnsLookup(fakeStore([front], endpoints), () => []);
  assert.deepEqual(dns.lookup('n1', 'bar', '10.9.0.2'), ['10.9.0.3']);
  assert.equal(dns.lookup('n1', 'bar', '10.9.0.4'), undefined);
});

test('upstreams: the client\'s own --dns, else the host\'s; none on an internal network', () => {
  const sealed = net('n3', 'sealed', { Internal: true });
  const endpoints = [ep('n1', 'own', '10.9.0.2', ['own']), ep('n1', 'plain', '10.9.0.3', ['plain']), ep('n3', 'own', '10.6.0.2', ['own'])];
  const sandboxes: SandboxRecord[] = [
    { containerId: 'own', containerName: 'own', mode: 'bridge', ports: [], dnsUpstreams: ['9.9.9.9'], hostname: 'own' },
    { containerId: 'plain', containerName: 'plain', mode: 'bridge', ports: [], dnsUpstreams: [], hostname: 'plain' },
  ];
  const dns = new DnsLookup(fakeStore([front, sealed], endpoints, sandboxes), () => ['192.0.2.53']);
  assert.deepEqual(dns.upstreams('n1', '10.9.0.2'), ['9.9.9.9']);
  assert.deepEqual(dns.upstreams('n1', '10.9.0.3'), ['192.0.2.53']);
  assert.deepEqual(dns.upstreams('n1', '10.9.0.99'), ['192.0.2.53']);
  assert.deepEqual(dns.upstreams('n3', '10.6.0.2'), []);
  assert.deepEqual(dns.upstreams('n9', '10.9.0.2'), []);
});
