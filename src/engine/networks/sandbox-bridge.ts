import { InvalidArgumentError } from '../../common/errors.js';
import { buildHostsFile, buildResolvConf } from './container-files.js';
import { allocateEndpoint, endpointLink } from './endpoint-allocator.js';
import { emitEndpointEvent, type NetworkContext } from './network-context.js';
import type { ContainerNetworkRequest, ContainerNetworkSetup, EndpointRequest } from './network-models.js';
import type { EndpointRecord, NetworkDoc, SandboxRecord } from './network-types.js';
import { stripEmpty } from './network-views.js';
import { dnsRequest, sandboxKindOf, type SandboxEnv } from './sandbox-modes.js';
import { containerSettings } from './sandbox-settings.js';
import { embeddedDnsServer } from './user-networks.js';

/**
 * The bridge driver's sandbox, for the default bridge and for user networks alike: a namespace
 * with one veth per network (the mode's network first: it gets the default route and the
 * published ports), addresses from IPAM, and the DNAT rules. All or nothing.
 */
export async function bridgeSandbox(ctx: NetworkContext, c: ContainerNetworkRequest, env: SandboxEnv): Promise<ContainerNetworkSetup> {
  const requests = bridgeEndpointRequests(ctx, c);
  const sandbox: SandboxRecord = { containerId: c.id, containerName: c.name, mode: 'bridge', ports: [], dnsUpstreams: [], hostname: c.hostname };
  const resolv = buildResolvConf({ host: env.hostResolv, ...dnsRequest(c), embeddedServer: embeddedDnsServer(requests.map(([n]) => n)) });
  sandbox.dnsUpstreams = resolv.upstreams;
  ctx.repo.putSandbox(sandbox);
  const endpoints: EndpointRecord[] = [];
  try {
    requests.forEach(([n, req], i) => endpoints.push(allocateEndpoint(ctx, n, c, req, i)));
    await attachEndpoints(ctx, c, sandbox, requests.map(([n], i) => endpointLink(n, endpoints[i]!, '', i === 0)), endpoints[0]!);
  } catch (err) {
    await env.teardown(c.id).catch((e: unknown) => ctx.logger.warn({ err: e }, 'rollback of network setup failed'));
    throw err;
  }
  for (const ep of endpoints) emitEndpointEvent(ctx, 'connect', ep);
  return {
    netnsPath: sandbox.netnsPath ?? '',
    settings: containerSettings(ctx, c.id, c.exposedPorts ?? {}),
    hostsFile: buildHostsFile({
      hostname: c.hostname,
      address: endpoints[0]!.ipAddress,
      extraHosts: c.extraHosts ?? [],
      hostGateway: ctx.catalog.defaultGateway(),
    }),
    resolvConf: resolv.content,
  };
}

/** The networks to join with their requests: the mode's first, then EndpointsConfig's other bridge networks. */
export function bridgeEndpointRequests(ctx: Pick<NetworkContext, 'catalog'>, c: ContainerNetworkRequest): [NetworkDoc, EndpointRequest][] {
  const primary = ctx.catalog.find(sandboxKindOf(c.networkMode).target);
  if (primary.Driver !== 'bridge') throw new InvalidArgumentError(`container cannot be connected to network ${primary.Name}`);
  const requests: [NetworkDoc, EndpointRequest][] = [[primary, c.macAddress ? { MacAddress: c.macAddress } : {}]];
  for (const [key, req] of Object.entries(c.networks ?? {})) {
    // The docker CLI names the primary network "default" when --network is not given.
    const n = key === 'default' ? primary : ctx.catalog.find(key);
    if (n.Id === primary.Id) requests[0] = [primary, { ...requests[0]![1], ...stripEmpty(req ?? {}) }];
    else if (n.Driver === 'bridge') requests.push([n, req ?? {}]);
    else throw new InvalidArgumentError(`container cannot be disconnected from host network or connected to host network`);
  }
  return requests;
}

/**
 * Makes the namespace (with the first veth) and reserves the host ports at once, recording what
 * was made before a failure so teardown undoes it; then the DNAT rules and the other veths. The
 * rules wait for the endpoint: a SYN sent to an address that is not up yet is dropped, and the
 * client retries after 1 s.
 */
async function attachEndpoints(ctx: NetworkContext, c: ContainerNetworkRequest, sandbox: SandboxRecord, links: ReturnType<typeof endpointLink>[], first: EndpointRecord): Promise<void> {
  const [ns, published] = await Promise.allSettled([
    ctx.driver.createNamespace(links[0]),
    (async () => {
      sandbox.ports = await ctx.ports.reserve({
        owner: c.id,
        endpointName: c.name,
        endpointId: first.endpointId,
        containerIp: first.ipAddress,
        portBindings: c.portBindings ?? {},
        exposedPorts: c.exposedPorts ?? {},
        publishAll: !!c.publishAll,
      });
      ctx.repo.putSandbox(sandbox);
    })(),
  ]);
  if (ns.status === 'fulfilled') {
    sandbox.netnsPath = ns.value;
    ctx.repo.putSandbox(sandbox);
  }
  if (ns.status === 'rejected') throw ns.reason;
  if (published.status === 'rejected') throw published.reason;
  if (sandbox.ports.length) await ctx.firewall.addPorts(sandbox.ports);
  for (const l of links.slice(1)) await ctx.driver.addEndpoint({ ...l, netnsPath: sandbox.netnsPath! });
}
