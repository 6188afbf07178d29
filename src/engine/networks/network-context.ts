import type { Logger } from '../../common/logger.js';
import type { NetworkRepository } from '../../store/network-repository.js';
import type { EventSink } from '../events/event-bus.js';
import type { BridgeDriver } from './bridge-driver.js';
import type { DnsServer } from './dns-server.js';
import type { Firewall } from './firewall.js';
import type { Ipam } from './ipam.js';
import { firewallNetwork } from './network-addressing.js';
import type { NetworkCatalog } from './network-catalog.js';
import type { NetworkServiceConfig } from './network-models.js';
import type { EndpointRecord } from './network-types.js';
import type { PortPublisher } from './port-publisher.js';

/**
 * What the network modules share: the store, the host-side parts (bridges and namespaces, firewall,
 * port holders, DNS listeners) and where events go. NetworkService builds one and hands it round.
 */
export interface NetworkContext {
  repo: NetworkRepository;
  catalog: NetworkCatalog;
  ipam: Ipam;
  driver: BridgeDriver;
  firewall: Firewall;
  ports: PortPublisher;
  dns: DnsServer;
  logger: Logger;
  events: EventSink;
  config: NetworkServiceConfig;
}

/** Rewrites the firewall's per-network rules for the bridge networks there are now. */
export function applyFirewallNetworks(ctx: Pick<NetworkContext, 'catalog' | 'firewall'>): Promise<void> {
  return ctx.firewall.applyNetworks(ctx.catalog.bridgeNetworks().map(firewallNetwork));
}

/** Docker's network connect/disconnect events. */
export function emitEndpointEvent(ctx: Pick<NetworkContext, 'repo' | 'events'>, action: 'connect' | 'disconnect', ep: EndpointRecord): void {
  const n = ctx.repo.getNetwork(ep.networkId);
  ctx.events.emit({
    Type: 'network',
    Action: action,
    Actor: { ID: ep.networkId, Attributes: { container: ep.containerId, name: n?.Name ?? '', type: 'bridge' } },
  });
}

/**
 * Starts the embedded DNS server of a user network on its gateway. Another resolver holding port 53
 * on all addresses is not fatal: containers still get the gateway as nameserver, so say why names
 * will not resolve.
 */
export async function listenDns(ctx: Pick<NetworkContext, 'dns' | 'logger'>, networkId: string, name: string, gateway: string): Promise<void> {
  try {
    await ctx.dns.listen(networkId, gateway);
  } catch (err) {
    ctx.logger.warn({ err, network: name }, 'embedded DNS server unavailable on this network');
  }
}
