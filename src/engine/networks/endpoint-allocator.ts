import { newId } from '../../common/ids.js';
import type { EndpointLink } from './bridge-driver.js';
import { macForIPv4, parseIPv4 } from './ipv4.js';
import { addressSpace, addressing } from './network-addressing.js';
import type { NetworkContext } from './network-context.js';
import type { EndpointRequest } from './network-models.js';
import type { EndpointRecord, NetworkDoc } from './network-types.js';
import { compactIpamConfig } from './network-views.js';
import { checkEndpointRequest, endpointDnsNames } from './user-networks.js';

/** The container an endpoint is made for. */
export interface EndpointOwner {
  id: string;
  name: string;
  hostname: string;
}

/**
 * Checks the request, takes an address from IPAM (the one asked for, or the next free one) and
 * records the endpoint; `index` names the interface (eth<index>).
 */
export function allocateEndpoint(ctx: Pick<NetworkContext, 'repo' | 'ipam'>, n: NetworkDoc, c: EndpointOwner, req: EndpointRequest, index: number): EndpointRecord {
  checkEndpointRequest(n, req);
  const wantedIp = req.IPAMConfig?.IPv4Address || undefined;
  const { gateway, subnet } = addressing(n);
  const ip = ctx.ipam.allocate(addressSpace(n), c.id, wantedIp);
  const endpointId = newId();
  const aliases = req.Aliases ?? [];
  const ipamConfig = compactIpamConfig(req.IPAMConfig);
  const ep: EndpointRecord = {
    networkId: n.Id,
    containerId: c.id,
    endpointId,
    containerName: c.name,
    dnsNames: endpointDnsNames(n, c, aliases),
    aliases,
    ipAddress: ip,
    prefixLen: subnet.prefix,
    gateway,
    macAddress: req.MacAddress || macForIPv4(parseIPv4(ip)),
    hostVeth: `veth${endpointId.slice(0, 11)}`,
    ifName: `eth${index}`,
    ...(wantedIp ? { staticIp: wantedIp } : {}),
    ...(ipamConfig ? { ipamConfig } : {}),
    ...(req.Links?.length ? { links: req.Links } : {}),
    ...(req.DriverOpts && Object.keys(req.DriverOpts).length ? { driverOpts: req.DriverOpts } : {}),
  };
  ctx.repo.putEndpoint(ep);
  return ep;
}

/** The veth the bridge driver makes for an endpoint; the default route only on the first, not on internal networks. */
export function endpointLink(n: NetworkDoc, ep: EndpointRecord, netnsPath: string, defaultRoute: boolean): EndpointLink {
  return {
    netnsPath,
    bridge: n.BridgeName!,
    hostVeth: ep.hostVeth,
    ifName: ep.ifName,
    address: ep.ipAddress,
    prefixLen: ep.prefixLen,
    macAddress: ep.macAddress,
    ...(defaultRoute && !n.Internal ? { gateway: ep.gateway } : {}),
  };
}

/** The lowest free interface number of a container (a live connect after a disconnect reuses it). */
export function nextIfIndex(existing: EndpointRecord[]): number {
  const used = new Set(existing.map((e) => Number(e.ifName.replace('eth', ''))));
  let i = 0;
  while (used.has(i)) i++;
  return i;
}
