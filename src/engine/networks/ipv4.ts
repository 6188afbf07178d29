import { InvalidArgumentError } from '../../common/errors.js';

// IPv4 addresses as unsigned 32-bit numbers, and subnets as {base, prefix}: the arithmetic IPAM,
// the bridge driver and the DNS server share.

export interface Subnet {
  /** Network address (host bits zero). */
  base: number;
  prefix: number;
}

export function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new InvalidArgumentError(`invalid IP address: ${text}`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new InvalidArgumentError(`invalid IP address: ${text}`);
    n = n * 256 + Number(p);
  }
  return n;
}

export function isIPv4(text: string): boolean {
  try {
    parseIPv4(text);
    return true;
  } catch {
    return false;
  }
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n"; host bits are cleared ("172.17.0.1/16" → 172.17.0.0/16). */
export function parseSubnet(text: string): Subnet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m || Number(m[2]) > 32) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  const prefix = Number(m[2]);
  return { base: (parseIPv4(m[1]!) & mask(prefix)) >>> 0, prefix };
}

/** Parses "a.b.c.d/n" keeping the address: the form of `bip` (gateway/prefix). */
export function parseAddressWithPrefix(text: string): { address: number; subnet: Subnet } {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  return { address: parseIPv4(m[1]!), subnet: parseSubnet(text) };
}

export function formatSubnet(s: Subnet): string {
  return `${formatIPv4(s.base)}/${s.prefix}`;
}

export function subnetSize(s: Subnet): number {
  return 2 ** (32 - s.prefix);
}

/** Last address of the subnet (the broadcast address). */
export function subnetLast(s: Subnet): number {
  return s.base + subnetSize(s) - 1;
}

export function subnetContains(s: Subnet, addr: number): boolean {
  return addr >= s.base && addr <= subnetLast(s);
}

export function subnetsOverlap(a: Subnet, b: Subnet): boolean {
  return a.base <= subnetLast(b) && b.base <= subnetLast(a);
}

/** Docker's MAC for an address: 02:42 followed by the four bytes of the IPv4 address. */
export function macForIPv4(addr: number): string {
  const bytes = [0x02, 0x42, addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
