import type { NetworkContext } from './network-context.js';
import type { ContainerNetworkRequest, NetworkSettings } from './network-models.js';
import type { NetworkDoc } from './network-types.js';
import { idleSettings, sandboxSettings } from './network-views.js';
import type { ExposedPorts } from './port-publisher.js';

/** The container's current NetworkSettings, from its sandbox and endpoints as stored. */
export function containerSettings(ctx: Pick<NetworkContext, 'repo'>, containerId: string, exposedPorts: ExposedPorts = {}): NetworkSettings {
  const endpoints = ctx.repo
    .endpointsOfContainer(containerId)
    .map((endpoint) => ({ endpoint, network: ctx.repo.getNetwork(endpoint.networkId) }))
    .filter((x): x is { endpoint: typeof x.endpoint; network: NetworkDoc } => !!x.network);
  return sandboxSettings(containerId, ctx.repo.getSandbox(containerId), endpoints, exposedPorts);
}

/** NetworkSettings of a container that is not running; a network removed since is left out. */
export function containerIdleSettings(
  ctx: Pick<NetworkContext, 'catalog'>,
  c: Pick<ContainerNetworkRequest, 'networkMode' | 'networks' | 'exposedPorts' | 'macAddress'>,
): NetworkSettings {
  return idleSettings(c, (ref) => {
    try {
      return ctx.catalog.find(ref);
    } catch {
      return undefined;
    }
  });
}
