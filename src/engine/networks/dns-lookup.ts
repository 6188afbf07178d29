import type { NetworkRepository } from '../../store/network-repository.js';
import type { DnsResolverBackend } from './dns-server.js';
import { parseLink } from './link-spec.js';
import { isDefaultBridge } from './network-addressing.js';
import { NetworkCatalog } from './network-catalog.js';

/** The store's reads name resolution needs. */
export type DnsRecords = Pick<NetworkRepository, 'listNetworks' | 'getNetwork' | 'endpointsOfNetwork' | 'endpointsOfContainer' | 'getSandbox'>;

/**
 * The embedded DNS server's answers, from the stored endpoints: container names, aliases, short ids,
 * hostnames and link aliases; and where to forward every other name.
 */
export class DnsLookup implements DnsResolverBackend {
  private readonly catalog: NetworkCatalog;

  constructor(
    private readonly repo: DnsRecords,
    /** The host's nameservers, for clients without --dns of their own. */
    private readonly hostNameservers: () => string[],
  ) {
    this.catalog = new NetworkCatalog(repo);
  }

  /**
   * Answers a name for a container asking the server of one network: as Docker's embedded DNS, the
   * names of every user network the asking container is on resolve, the queried network's first.
   */
  lookup(networkId: string, name: string, clientIp?: string): string[] | undefined {
    const here = this.lookupInNetwork(networkId, name, clientIp);
    if (here || !clientIp) return here;
    const client = this.repo.endpointsOfNetwork(networkId).find((e) => e.ipAddress === clientIp);
    if (!client) return undefined;
    for (const n of this.catalog.containerNetworks(client.containerId)) {
      if (n.Id === networkId || isDefaultBridge(n)) continue;
      const own = this.repo.endpointsOfContainer(client.containerId).find((e) => e.networkId === n.Id);
      const found = this.lookupInNetwork(n.Id, name, own?.ipAddress);
      if (found) return found;
    }
    return undefined;
  }

  /** Upstream resolvers for a client: its own --dns, else the host's; none on an internal network. */
  upstreams(networkId: string, clientIp: string): string[] {
    const n = this.repo.getNetwork(networkId);
    if (!n || n.Internal) return [];
    const ep = this.repo.endpointsOfNetwork(networkId).find((e) => e.ipAddress === clientIp);
    const sb = ep && this.repo.getSandbox(ep.containerId);
    return sb?.dnsUpstreams.length ? sb.dnsUpstreams : this.hostNameservers();
  }

  private lookupInNetwork(networkId: string, name: string, clientIp?: string): string[] | undefined {
    const n = this.repo.getNetwork(networkId);
    if (!n) return undefined;
    const suffix = `.${n.Name.toLowerCase()}`;
    let bare = name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
    const endpoints = this.repo.endpointsOfNetwork(networkId);
    // EndpointSettings.Links: the asking container's link alias stands for the linked name.
    const client = clientIp ? endpoints.find((e) => e.ipAddress === clientIp) : undefined;
    const link = (client?.links ?? []).map(parseLink).find((l) => l.alias.toLowerCase() === bare);
    if (link) bare = link.name.toLowerCase();
    const ips = endpoints.filter((e) => e.dnsNames.some((d) => d.toLowerCase() === bare)).map((e) => e.ipAddress);
    return ips.length ? ips : undefined;
  }
}
