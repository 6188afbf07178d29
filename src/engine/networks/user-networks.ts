import { InvalidArgumentError } from '../../common/errors.js';
import { shortId } from '../../common/ids.js';
import { isIPv4 } from './ipv4.js';
import { isIPv6, parseIPv6, parseSubnet6, subnet6Contains } from './ipv6.js';
import { parseLink } from './link-spec.js';
import { addressing, isDefaultBridge, isIPv6Config } from './network-addressing.js';
import type { EndpointRequest } from './network-models.js';
import type { EndpointIPAMConfig, NetworkDoc } from './network-types.js';

// What sets a user-defined network apart from the default bridge, as dockerd has it: names that the
// embedded DNS server answers, network-scoped aliases and static addresses.

const USER_NETWORKS_ONLY = 'user specified IP address is supported on user defined networks only';

/** Docker's checks of an endpoint request against its network, in dockerd's order (so its message). */
export function checkEndpointRequest(n: NetworkDoc, req: EndpointRequest): void {
  const isDefault = isDefaultBridge(n);
  if (isDefault && req.IPAMConfig?.IPv6Address) throw new InvalidArgumentError(USER_NETWORKS_ONLY);
  checkEndpointAddresses(n, req.IPAMConfig);
  for (const l of req.Links ?? []) parseLink(l);
  if (isDefault && req.IPAMConfig?.IPv4Address) throw new InvalidArgumentError(USER_NETWORKS_ONLY);
  if (isDefault && req.Aliases?.length) {
    throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
  }
}

/** Names the embedded DNS server answers for the endpoint: none on the default bridge. */
export function endpointDnsNames(n: NetworkDoc, c: { id: string; name: string; hostname: string }, aliases: string[]): string[] {
  if (isDefaultBridge(n)) return [];
  return [...new Set([c.name, ...aliases, shortId(c.id), c.hostname].filter(Boolean))];
}

/**
 * The nameserver for resolv.conf: the gateway of the container's first user network (where the
 * embedded DNS server listens); undefined on the default bridge only, where the host's are used.
 */
export function embeddedDnsServer(networks: (NetworkDoc | undefined)[]): string | undefined {
  const user = networks.find((n): n is NetworkDoc => !!n && !isDefaultBridge(n));
  return user ? addressing(user).gateway : undefined;
}

/** Checks the IPv6 and link-local addresses of an endpoint config as dockerd does. */
export function checkEndpointAddresses(n: NetworkDoc, c: EndpointIPAMConfig | null | undefined): void {
  const errs: string[] = [];
  if (c?.IPv6Address) {
    if (!isIPv6(c.IPv6Address) || parseIPv6(c.IPv6Address) === 0n) errs.push(`invalid IPv6 address: ${c.IPv6Address}`);
    else {
      const addr = parseIPv6(c.IPv6Address);
      const pools = n.IPAM.Config.filter(isIPv6Config).map((x) => parseSubnet6(x.Subnet!));
      if (!pools.some((p) => subnet6Contains(p, addr))) errs.push(`no configured subnet contains IP address ${c.IPv6Address}`);
    }
  }
  for (const ll of c?.LinkLocalIPs ?? []) {
    if (!(isIPv4(ll) && ll !== '0.0.0.0') && !(isIPv6(ll) && parseIPv6(ll) !== 0n)) errs.push(`invalid link-local IP address: ${ll}`);
  }
  if (errs.length) throw new InvalidArgumentError(`invalid endpoint settings:\n${errs.join('\n')}`);
}
