import type { ApiClient } from './api-client.js';
import type { Filters, NetworkCreateResponse, NetworkSummary, PruneReport, Volume, VolumeList } from './api-types.js';

// /volumes/... and /networks/...: one method per endpoint the CLI uses.

const volumeAt = (name: string): string => `/volumes/${encodeURIComponent(name)}`;
const networkAt = (name: string, verb = ''): string => `/networks/${encodeURIComponent(name)}${verb ? `/${verb}` : ''}`;

export interface VolumeCreateBody {
  Name: string;
  Driver: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

export class VolumesApi {
  constructor(private readonly c: ApiClient) {}

  create(body: VolumeCreateBody): Promise<Volume> {
    return this.c.call<Volume>('POST', '/volumes/create', { body });
  }

  list(filters?: Filters): Promise<VolumeList | undefined> {
    return this.c.call<VolumeList | undefined>('GET', '/volumes', { query: { filters } });
  }

  inspect(name: string): Promise<Volume> {
    return this.c.call<Volume>('GET', volumeAt(name));
  }

  async remove(name: string, o: { force?: boolean } = {}): Promise<void> {
    await this.c.call('DELETE', volumeAt(name), { query: { force: o.force || undefined } });
  }

  prune(filters?: Filters): Promise<PruneReport | undefined> {
    return this.c.call<PruneReport | undefined>('POST', '/volumes/prune', { query: { filters } });
  }
}

export class NetworksApi {
  constructor(private readonly c: ApiClient) {}

  create(body: object): Promise<NetworkCreateResponse> {
    return this.c.call<NetworkCreateResponse>('POST', '/networks/create', { body });
  }

  list(filters?: Filters): Promise<NetworkSummary[]> {
    return this.c.call<NetworkSummary[]>('GET', '/networks', { query: { filters } });
  }

  inspect(name: string, o: { verbose?: boolean } = {}): Promise<NetworkSummary> {
    return this.c.call<NetworkSummary>('GET', networkAt(name), { query: { verbose: o.verbose ? 'true' : undefined } });
  }

  async remove(name: string): Promise<void> {
    await this.c.call('DELETE', networkAt(name));
  }

  prune(filters?: Filters): Promise<PruneReport | undefined> {
    return this.c.call<PruneReport | undefined>('POST', '/networks/prune', { query: { filters } });
  }

  async connect(name: string, body: object): Promise<void> {
    await this.c.call('POST', networkAt(name, 'connect'), { body });
  }

  async disconnect(name: string, container: string, force: boolean): Promise<void> {
    await this.c.call('POST', networkAt(name, 'disconnect'), { body: { Container: container, Force: force } });
  }
}
