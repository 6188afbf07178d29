import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { NetworkRepository } from '../../store/network-repository.js';
import { addressing, isDefaultBridge } from './network-addressing.js';
import type { EndpointRecord, NetworkDoc } from './network-types.js';

/** The store's reads the lookups below need. */
export type NetworkRecords = Pick<NetworkRepository, 'listNetworks' | 'getNetwork' | 'endpointsOfContainer'>;

/** Finding networks the way dockerd does: by id, by name, by unique id prefix; and a container's networks. */
export class NetworkCatalog {
  constructor(private readonly repo: NetworkRecords) {}

  /** Resolves a network reference to its document (id, name or unique id prefix). */
  find(idOrName: string): NetworkDoc {
    const all = this.repo.listNetworks();
    const hit = all.find((n) => n.Id === idOrName) ?? all.find((n) => n.Name === idOrName) ?? byIdPrefix(all, idOrName);
    if (!hit) throw new NotFoundError(`network ${idOrName} not found`);
    return hit;
  }

  /** Networks with a bridge device: the default bridge and every user network. */
  bridgeNetworks(): NetworkDoc[] {
    return this.repo.listNetworks().filter((n) => n.Driver === 'bridge' && n.BridgeName);
  }

  bridgeDevices(): string[] {
    return this.bridgeNetworks().map((n) => n.BridgeName!);
  }

  /** The default bridge's gateway: what `host-gateway` in --add-host stands for. */
  defaultGateway(): string | undefined {
    const n = this.repo.listNetworks().find((x) => isDefaultBridge(x));
    return n ? addressing(n).gateway : undefined;
  }

  /** The networks a container is connected to, its primary (eth0) first. */
  containerNetworks(containerId: string): NetworkDoc[] {
    const ifIndex = (e: EndpointRecord) => Number(e.ifName.replace(/^\D+/, '')) || 0;
    return this.repo
      .endpointsOfContainer(containerId)
      .sort((a, b) => ifIndex(a) - ifIndex(b))
      .map((e) => this.repo.getNetwork(e.networkId))
      .filter((n): n is NetworkDoc => !!n);
  }
}

function byIdPrefix(all: NetworkDoc[], prefix: string): NetworkDoc | undefined {
  const hits = all.filter((n) => prefix.length > 0 && n.Id.startsWith(prefix));
  if (hits.length > 1) throw new InvalidArgumentError(`network ${prefix} is ambiguous (${hits.length} matches found based on ID prefix)`);
  return hits[0];
}
