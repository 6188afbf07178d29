import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv6, formatSubnet6, isIPv6, parseIPv6, parseSubnet6, subnet6Contains } from './ipv6.js';

test('IPv6 addresses are parsed and written back in RFC 5952 form', () => {
  assert.equal(formatIPv6(parseIPv6('2001:0389:0000:0000:0000:0000:0000:F00D')), '2001:389::f00d');
  assert.equal(formatIPv6(parseIPv6('::')), '::');
  assert.equal(formatIPv6(parseIPv6('::1')), '::1');
  assert.equal(formatIPv6(parseIPv6('fe80::')), 'fe80::');
  assert.equal(formatIPv6(parseIPv6('1:0:0:2:0:0:0:3')), '1:0:0:2::3');
  assert.equal(formatIPv6(parseIPv6('1:0:2:3:4:5:6:7')), '1:0:2:3:4:5:6:7');
  assert.equal(formatIPv6(parseIPv6('::ffff:10.1.2.3')), '::ffff:a01:203');
  for (const bad of ['10.0.0.1', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7']) {
    assert.equal(isIPv6(bad), false, bad);
  }
});

test('IPv6 subnets clear host bits and contain their addresses', () => {
  const s = parseSubnet6('2001:389::1/64');
  assert.equal(formatSubnet6(s), '2001:389::/64');
  assert.ok(subnet6Contains(s, parseIPv6('2001:389::f00d')));
  assert.ok(!subnet6Contains(s, parseIPv6('2001:389:0:1::1')));
  assert.throws(() => parseSubnet6('2001:389::/129'), /invalid CIDR address/);
});
