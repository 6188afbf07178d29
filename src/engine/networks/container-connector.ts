import { ForbiddenError, NotFoundError, SystemError } from '../../common/errors.js';
import type { EndpointRequest, NetworkService, NetworkSettings } from './network-service.js';

/** The container side of `network connect/disconnect`: what the container service offers. */
export interface ConnectableContainers {
  get(ref: string): {
    Id: string;
    Name: string;
    State: { Running: boolean };
    HostConfig: { NetworkMode?: string };
    Config: { ExposedPorts?: Record<string, object> | null };
    endpointsConfig?: Record<string, unknown>;
  };
  setEndpointConfig(ref: string, network: string, config: Record<string, unknown> | undefined, settings?: NetworkSettings): void;
}

type Networks = Pick<NetworkService, 'checkConnect' | 'network' | 'connect' | 'disconnect' | 'settingsFor'>;

/**
 * POST /networks/{id}/connect: a running container is connected at once; either way the
 * connection is recorded in the container, so it is made again at every start (Docker keeps it).
 */
export async function connectContainer(networks: Networks, containers: ConnectableContainers, network: string, ref: string, ep: EndpointRequest): Promise<void> {
  const c = containers.get(ref);
  const n = networks.checkConnect(network, {
    name: c.Name.replace(/^\//, ''),
    networkMode: c.HostConfig.NetworkMode ?? '',
    networks: Object.keys(c.endpointsConfig ?? {}),
  });
  const config = { ...ep } as Record<string, unknown>;
  if (!c.State.Running) {
    containers.setEndpointConfig(c.Id, n.Name, config);
    return;
  }
  await networks.connect(n.Id, c.Id, ep);
  containers.setEndpointConfig(c.Id, n.Name, config, networks.settingsFor(c.Id, c.Config.ExposedPorts ?? {}));
}

/**
 * POST /networks/{id}/disconnect: live for a running container, and forgotten for its next start.
 * As in dockerd, Force does not excuse a container that is not connected (an error either way);
 * it only lets a container forget a network that no longer exists.
 */
export async function disconnectContainer(networks: Networks, containers: ConnectableContainers, network: string, ref: string, force: boolean): Promise<void> {
  const c = containers.get(ref);
  let n: ReturnType<Networks['network']>;
  try {
    n = networks.network(network);
  } catch (err) {
    if (!(err instanceof NotFoundError) || !force) throw err;
    if (!Object.keys(c.endpointsConfig ?? {}).includes(network)) throw new SystemError(`container ${c.Id} is not connected to the network ${network}`);
    containers.setEndpointConfig(c.Id, network, undefined);
    return;
  }
  const recorded = Object.keys(c.endpointsConfig ?? {}).find((k) => k === n.Name || k === n.Id);
  const mode = c.HostConfig.NetworkMode === 'default' ? 'bridge' : c.HostConfig.NetworkMode;
  if (n.Driver === 'host' || mode === 'host') {
    throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
  }
  if (c.State.Running) {
    await networks.disconnect(n.Id, c.Id, false);
    if (recorded) containers.setEndpointConfig(c.Id, recorded, undefined, networks.settingsFor(c.Id, c.Config.ExposedPorts ?? {}));
    else containers.setEndpointConfig(c.Id, n.Name, undefined, networks.settingsFor(c.Id, c.Config.ExposedPorts ?? {}));
    return;
  }
  if (!recorded && mode !== n.Name && mode !== n.Id) {
    throw new SystemError(`container ${c.Id} is not connected to the network ${n.Name}`);
  }
  containers.setEndpointConfig(c.Id, recorded ?? n.Name, undefined);
}
