import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNetworkDoc } from './predefined-networks.js';
import { checkEndpointRequest, embeddedDnsServer, endpointDnsNames } from './user-networks.js';

// What a user network allows that the default bridge does not, with dockerd's messages.

const bridge = newNetworkDoc('bridge', 'bridge', [{ Subnet: '10.8.0.0/24', Gateway: '10.8.0.1' }], {}, {}, false);
const app = newNetworkDoc('app', 'bridge', [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.254' }, { Subnet: '2001:db8:1::/64' }], {}, {}, false);
const owner = { id: '0123456789abcdef'.repeat(4), name: 'web', hostname: 'web-host' };

test('the default bridge refuses static addresses and aliases; a user network takes them', () => {
  assert.throws(() => checkEndpointRequest(bridge, { IPAMConfig: { IPv4Address: '10.8.0.9' } }), /^InvalidArgumentError: user specified IP address is supported on user defined networks only$/);
  assert.throws(() => checkEndpointRequest(bridge, { IPAMConfig: { IPv6Address: '2001:db8:1::9' } }), /user specified IP address is supported on user defined networks only/);
  assert.throws(() => checkEndpointRequest(bridge, { Aliases: ['db'] }), /network-scoped alias is supported only for containers in user defined networks/);
  checkEndpointRequest(bridge, { Aliases: [], Links: ['db:alias'] });
  checkEndpointRequest(app, { Aliases: ['db'], IPAMConfig: { IPv4Address: '10.9.0.9', IPv6Address: '2001:db8:1::9', LinkLocalIPs: ['169.254.1.1'] } });
});

test('endpoint addresses and links are checked as dockerd checks them', () => {
  assert.throws(() => checkEndpointRequest(app, { IPAMConfig: { IPv6Address: '2001:db8:2::1', LinkLocalIPs: ['nope'] } }), {
    message: 'invalid endpoint settings:\nno configured subnet contains IP address 2001:db8:2::1\ninvalid link-local IP address: nope',
  });
  assert.throws(() => checkEndpointRequest(app, { IPAMConfig: { IPv6Address: 'zz::1' } }), /invalid IPv6 address: zz::1/);
  assert.throws(() => checkEndpointRequest(app, { Links: ['a:b:c'] }), /bad format for links: a:b:c/);
});

test('DNS names: container name, aliases, short id and hostname once each; none on the default bridge', () => {
  assert.deepEqual(endpointDnsNames(app, owner, ['db', 'web']), ['web', 'db', '0123456789ab', 'web-host']);
  assert.deepEqual(endpointDnsNames(bridge, owner, []), []);
});

test('the embedded DNS server is the first user network\'s gateway', () => {
  assert.equal(embeddedDnsServer([bridge, app]), '10.9.0.254');
  assert.equal(embeddedDnsServer([bridge, undefined]), undefined);
  assert.equal(embeddedDnsServer([]), undefined);
});
