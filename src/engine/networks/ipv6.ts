import { InvalidArgumentError } from '../../common/errors.js';

// IPv6 addresses as 128-bit bigints: enough to validate, normalise and compare what users give in
// IPAM and endpoint configs. berth keeps IPv6 settings but has no IPv6 datapath (no addresses on veths).

export interface Subnet6 {
  base: bigint;
  prefix: number;
}

const ALL = (1n << 128n) - 1n;

export function parseIPv6(text: string): bigint {
  const bad = () => new InvalidArgumentError(`invalid IPv6 address: ${text}`);
  if (!text.includes(':') || text.includes('%')) throw bad();
  let s = text;
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const q = dotted[2]!.split('.').map(Number);
    if (q.some((x) => x > 255)) throw bad();
    s = `${dotted[1]}${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) throw bad();
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) throw bad();
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function isIPv6(text: string): boolean {
  try {
    parseIPv6(text);
    return true;
  } catch {
    return false;
  }
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups (2+) as "::". */
export function formatIPv6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** Parses "addr/n"; host bits are cleared. */
export function parseSubnet6(text: string): Subnet6 {
  const [addr, len, ...rest] = text.split('/');
  const prefix = Number(len);
  if (rest.length || !len || !/^\d+$/.test(len) || prefix > 128) throw new InvalidArgumentError(`invalid CIDR address: ${text}`);
  const mask = prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
  return { base: parseIPv6(addr!) & mask, prefix };
}

export function formatSubnet6(s: Subnet6): string {
  return `${formatIPv6(s.base)}/${s.prefix}`;
}

export function subnet6Contains(s: Subnet6, addr: bigint): boolean {
  const mask = s.prefix === 0 ? 0n : (ALL << BigInt(128 - s.prefix)) & ALL;
  return (addr & mask) === s.base;
}
