import { readFileSync } from 'node:fs';
import { ConflictError, InvalidArgumentError, UnavailableError } from '../../common/errors.js';
import type { NetworkRepository } from '../../store/network-repository.js';
import {
  formatIPv4,
  formatSubnet,
  parseIPv4,
  parseSubnet,
  subnetContains,
  subnetLast,
  subnetsOverlap,
  type Subnet,
} from './ipv4.js';

/** What IPAM needs to know about a network's address space. */
export interface AddressSpace {
  networkId: string;
  subnet: Subnet;
  /** Dynamic allocations come from here; the whole subnet when absent. */
  ipRange?: Subnet;
}

export interface AddressPool {
  base: string;
  size: number;
}

/**
 * IPv4 address management: subnets for new networks from the default address pools, and addresses
 * inside a network, persisted in ip_allocations so they survive a restart of berthd.
 */
export class Ipam {
  constructor(private readonly repo: NetworkRepository) {}

  /**
   * First subnet of the pools that overlaps neither the given subnets nor any route of the host
   * (except routes through ownDevices: berth's own bridges).
   */
  pickSubnet(pools: AddressPool[], inUse: Subnet[], ownDevices: string[] = []): Subnet {
    const taken = [...inUse, ...hostRoutedSubnets().filter((r) => !ownDevices.includes(r.device))];
    for (const pool of pools) {
      const base = parseSubnet(pool.base);
      const step = 2 ** (32 - pool.size);
      for (let addr = base.base; addr + step - 1 <= subnetLast(base); addr += step) {
        const candidate = { base: addr, prefix: pool.size };
        if (!taken.some((t) => subnetsOverlap(t, candidate))) return candidate;
      }
    }
    throw new UnavailableError('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  }

  /** Records an address that is not handed out (the gateway). */
  reserve(space: AddressSpace, address: string, owner: string): void {
    if (!this.repo.tryAllocate(space.networkId, address, owner) && this.repo.addressOwner(space.networkId, address) !== owner) {
      throw new ConflictError(`Address already in use`);
    }
  }

  /**
   * Allocates an address for owner: the requested one (static --ip), else the first free one of
   * the range. Network and broadcast addresses are never handed out.
   */
  allocate(space: AddressSpace, owner: string, requested?: string): string {
    const first = space.subnet.base + 1;
    const last = subnetLast(space.subnet) - 1;
    if (requested) {
      const addr = parseIPv4(requested);
      if (!subnetContains(space.subnet, addr)) {
        throw new InvalidArgumentError(`no configured subnet or ip-range contain the IP address ${requested}`);
      }
      if (addr < first || addr > last) throw new InvalidArgumentError(`invalid address ${requested} for ${formatSubnet(space.subnet)}`);
      if (!this.repo.tryAllocate(space.networkId, requested, owner)) {
        if (this.repo.addressOwner(space.networkId, requested) === owner) return requested;
        throw new ConflictError('Address already in use');
      }
      return requested;
    }
    const range = space.ipRange ?? space.subnet;
    const start = Math.max(first, range.base);
    const end = Math.min(last, subnetLast(range));
    const used = this.repo.allocatedAddresses(space.networkId);
    for (let a = start; a <= end; a++) {
      const text = formatIPv4(a);
      if (used.has(text)) continue;
      if (this.repo.tryAllocate(space.networkId, text, owner)) return text;
    }
    throw new UnavailableError(`no available IPv4 addresses on this network's address pools: ${formatSubnet(space.subnet)}`);
  }

  release(networkId: string, address: string): void {
    this.repo.release(networkId, address);
  }
}

/** Subnets the host routes already (its own links, other engines' bridges), from /proc/net/route. */
export function hostRoutedSubnets(): (Subnet & { device: string })[] {
  let text: string;
  try {
    text = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return [];
  }
  const out: (Subnet & { device: string })[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = littleEndianHex(f[1]!);
    const mask = littleEndianHex(f[7]!);
    if (mask === 0) continue; // the default route covers everything; it does not make a subnet busy
    const prefix = 32 - Math.log2(2 ** 32 - mask);
    if (!Number.isInteger(prefix)) continue;
    out.push({ base: dest, prefix, device: f[0]! });
  }
  return out;
}

function littleEndianHex(hex: string): number {
  const n = parseInt(hex, 16);
  return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
}
