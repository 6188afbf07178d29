import { ForbiddenError, InvalidArgumentError, SystemError } from '../../common/errors.js';
import type { FirewallNetwork } from './firewall.js';
import type { AddressSpace } from './ipam.js';
import { formatIPv6, formatSubnet6, parseIPv6, parseSubnet6, subnet6Contains } from './ipv6.js';
import { formatIPv4, formatSubnet, parseIPv4, parseSubnet, subnetContains, subnetsOverlap, type Subnet } from './ipv4.js';
import type { IPAMConfigEntry, NetworkDoc } from './network-types.js';

// What a network's IPAM.Config means: its subnet and gateway, the space IPAM allocates from, the
// firewall's view of it, and the checks dockerd makes on a requested pool.

/** Docker's default bridge is the one named `bridge`: no DNS names, aliases or static addresses. */
export function isDefaultBridge(n: NetworkDoc | undefined): boolean {
  return n?.Name === 'bridge';
}

/** The network's IPv4 subnet and gateway (the first address when the config names none). */
export function addressing(n: NetworkDoc): { gateway: string; subnet: Subnet } {
  const c = n.IPAM.Config[0];
  if (!c?.Subnet) throw new SystemError(`network ${n.Name} has no IPv4 subnet`);
  const subnet = parseSubnet(c.Subnet);
  return { subnet, gateway: c.Gateway ?? formatIPv4(subnet.base + 1) };
}

/** Where IPAM hands out the network's addresses: its IPRange when set, else the whole subnet. */
export function addressSpace(n: NetworkDoc): AddressSpace {
  const c = n.IPAM.Config[0];
  return { networkId: n.Id, subnet: addressing(n).subnet, ...(c?.IPRange ? { ipRange: parseSubnet(c.IPRange) } : {}) };
}

export function firewallNetwork(n: NetworkDoc): FirewallNetwork {
  return {
    bridge: n.BridgeName!,
    subnet: formatSubnet(addressing(n).subnet),
    internal: n.Internal,
    icc: n.Options['com.docker.network.bridge.enable_icc'] !== 'false',
  };
}

export function isIPv6Config(c: IPAMConfigEntry): boolean {
  return !!(c.Subnet?.includes(':') || (!c.Subnet && c.Gateway?.includes(':')));
}

/**
 * A requested IPv4 pool as dockerd checks and reports it: no overlap with another network, gateway,
 * range and auxiliary addresses inside the subnet. Docker's key order: Subnet, IPRange, Gateway,
 * AuxiliaryAddresses.
 */
export function ipv4ConfigEntry(c: IPAMConfigEntry & { Subnet: string }, existing: Subnet[]): IPAMConfigEntry {
  const subnet = parseSubnet(c.Subnet);
  if (existing.some((e) => subnetsOverlap(e, subnet))) throw new ForbiddenError('Pool overlaps with other one on this address space');
  const gateway = c.Gateway ?? formatIPv4(subnet.base + 1);
  if (!subnetContains(subnet, parseIPv4(gateway))) throw new InvalidArgumentError(`no matching subnet for gateway ${gateway}`);
  if (c.IPRange && !subnetContains(subnet, parseSubnet(c.IPRange).base)) {
    throw new InvalidArgumentError(`no matching subnet for range ${c.IPRange}`);
  }
  for (const [k, v] of Object.entries(c.AuxiliaryAddresses ?? {})) {
    if (!subnetContains(subnet, parseIPv4(v))) throw new InvalidArgumentError(`invalid auxiliary address ${k}: ${v} is not in subnet ${formatSubnet(subnet)}`);
  }
  return {
    Subnet: formatSubnet(subnet),
    ...(c.IPRange ? { IPRange: c.IPRange } : {}),
    Gateway: gateway,
    ...(c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length ? { AuxiliaryAddresses: c.AuxiliaryAddresses } : {}),
  };
}

/**
 * An IPv6 pool of IPAM.Config as dockerd reports it (subnet normalised, gateway defaulting to the
 * first address). Kept and shown only: berth puts no IPv6 addresses on its bridges or veths.
 */
export function ipv6ConfigEntry(c: IPAMConfigEntry): IPAMConfigEntry {
  if (!c.Subnet) throw new InvalidArgumentError('an IPv6 IPAM config needs a subnet');
  const subnet = parseSubnet6(c.Subnet);
  const gateway = c.Gateway ?? formatIPv6(subnet.base + 1n);
  if (!subnet6Contains(subnet, parseIPv6(gateway))) throw new InvalidArgumentError(`no matching subnet for gateway ${gateway}`);
  if (c.IPRange && !subnet6Contains(subnet, parseSubnet6(c.IPRange).base)) {
    throw new InvalidArgumentError(`no matching subnet for range ${c.IPRange}`);
  }
  return {
    Subnet: formatSubnet6(subnet),
    ...(c.IPRange ? { IPRange: c.IPRange } : {}),
    Gateway: gateway,
    ...(c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length ? { AuxiliaryAddresses: c.AuxiliaryAddresses } : {}),
  };
}
