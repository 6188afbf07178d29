import { ConflictError, ForbiddenError, SystemError } from '../../common/errors.js';
import { buildResolvConf, type HostResolvConf } from './container-files.js';
import { allocateEndpoint, endpointLink, nextIfIndex } from './endpoint-allocator.js';
import { emitEndpointEvent, type NetworkContext } from './network-context.js';
import type { ContainerNetworkRequest, EndpointRequest, EndpointSettings } from './network-models.js';
import type { NetworkDoc } from './network-types.js';
import { endpointSettings, primaryMode } from './network-views.js';
import { embeddedDnsServer } from './user-networks.js';

// network connect / disconnect: Docker's checks for any container, and the live change for a
// running one (a veth more or less in its namespace, its resolv.conf rewritten).

const HOST_NETWORK = 'container cannot be disconnected from host network or connected to host network';

/** Checks that a container may be connected to a network (Docker's checks and messages). */
export function checkConnect(ctx: Pick<NetworkContext, 'catalog'>, networkIdOrName: string, container: { name: string; networkMode: string; networks: string[] }): NetworkDoc {
  const n = ctx.catalog.find(networkIdOrName);
  const mode = primaryMode(container.networkMode);
  if (mode === 'host' || n.Driver === 'host') throw new ForbiddenError(HOST_NETWORK);
  if (mode === 'none' || n.Driver === 'null') {
    throw new ForbiddenError('container cannot be connected to multiple networks with one of the networks in private (none) mode');
  }
  if (mode.startsWith('container:')) throw new ForbiddenError('container sharing network namespace with another container or host cannot be connected to any other network');
  // The container's endpoint list is the truth: a stopped container disconnected from its primary
  // network may be connected to it again (docker-compose does exactly that before each start).
  const joined = new Set(container.networks.map((k) => (k === 'default' ? 'bridge' : k)));
  if ([...joined].some((k) => k === n.Name || k === n.Id)) {
    throw new ForbiddenError(`endpoint with name ${container.name} already exists in network ${n.Name}`);
  }
  return n;
}

/** POST /networks/{id}/connect for a running container (one that has a sandbox). */
export async function connectLive(ctx: NetworkContext, networkIdOrName: string, containerId: string, req: EndpointRequest): Promise<EndpointSettings> {
  const n = ctx.catalog.find(networkIdOrName);
  const sb = ctx.repo.getSandbox(containerId);
  if (!sb) throw new ConflictError(`container ${containerId} is not running`);
  if (sb.mode !== 'bridge' || n.Driver !== 'bridge') throw new ForbiddenError(HOST_NETWORK);
  const existing = ctx.repo.endpointsOfContainer(containerId);
  if (existing.some((e) => e.networkId === n.Id)) {
    throw new ForbiddenError(`endpoint with name ${sb.containerName} already exists in network ${n.Name}`);
  }
  const ep = allocateEndpoint(ctx, n, { id: containerId, name: sb.containerName, hostname: sb.hostname }, req, nextIfIndex(existing));
  try {
    await ctx.driver.addEndpoint(endpointLink(n, ep, sb.netnsPath!, false));
  } catch (err) {
    ctx.repo.deleteEndpoint(n.Id, containerId);
    ctx.ipam.release(n.Id, ep.ipAddress);
    throw err;
  }
  emitEndpointEvent(ctx, 'connect', ep);
  return endpointSettings(n, ep);
}

/** POST /networks/{id}/disconnect for a running container. */
export async function disconnectLive(ctx: NetworkContext, networkIdOrName: string, containerId: string, force: boolean): Promise<void> {
  const n = ctx.catalog.find(networkIdOrName);
  const ep = ctx.repo.endpointsOfContainer(containerId).find((e) => e.networkId === n.Id);
  if (!ep) {
    if (force) return;
    // dockerd's plain error (500), whatever Force says (see disconnectContainer).
    throw new SystemError(`container ${containerId} is not connected to network ${n.Name}`);
  }
  await ctx.driver.deleteLink(ep.hostVeth);
  ctx.repo.deleteEndpoint(n.Id, containerId);
  ctx.ipam.release(n.Id, ep.ipAddress);
  emitEndpointEvent(ctx, 'disconnect', ep);
}

/**
 * The resolv.conf of a running container after a live connect or disconnect, as dockerd rewrites
 * it: the embedded DNS server (its first user network's gateway) while it is on a user network,
 * the host's resolvers otherwise. Undefined when berth does not manage the container's DNS here.
 */
export function liveResolvConf(
  ctx: Pick<NetworkContext, 'repo' | 'catalog'>,
  c: Pick<ContainerNetworkRequest, 'id' | 'dns' | 'dnsSearch' | 'dnsOptions'>,
  hostResolv: HostResolvConf,
): string | undefined {
  const sb = ctx.repo.getSandbox(c.id);
  if (!sb || (sb.mode !== 'bridge' && !(sb.mode === 'container' && sb.sharedWith))) return undefined;
  // A container in another's namespace (container:<id>) follows that one's networks.
  const resolv = buildResolvConf({
    host: hostResolv,
    dns: c.dns ?? [],
    dnsSearch: c.dnsSearch ?? [],
    dnsOptions: c.dnsOptions ?? [],
    embeddedServer: embeddedDnsServer(ctx.catalog.containerNetworks(sb.sharedWith ?? c.id)),
  });
  sb.dnsUpstreams = resolv.upstreams;
  ctx.repo.putSandbox(sb);
  return resolv.content;
}
