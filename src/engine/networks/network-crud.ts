import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { FilterArgs } from '../../common/filters.js';
import { formatIPv4, formatSubnet } from './ipv4.js';
import { addressSpace, addressing, ipv4ConfigEntry, ipv6ConfigEntry, isIPv6Config } from './network-addressing.js';
import { applyFirewallNetworks, listenDns, type NetworkContext } from './network-context.js';
import { networkListFilter, networkPruneFilter } from './network-filters.js';
import { PREDEFINED_NETWORKS, type NetworkCreateRequest } from './network-models.js';
import type { IPAMConfigEntry, NetworkDoc, NetworkInspect } from './network-types.js';
import { networkInspect } from './network-views.js';
import { newNetworkDoc } from './predefined-networks.js';

// Networks themselves: create, inspect, list, remove and prune, with dockerd's checks and messages.

/** Owner of IPAM.Config AuxiliaryAddresses in ip_allocations: never handed to a container. */
const AUX_OWNER = 'aux';

export async function createNetwork(ctx: NetworkContext, req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
  const doc = newUserNetworkDoc(ctx, req);
  const { gateway, subnet } = addressing(doc);
  ctx.repo.putNetwork(doc);
  try {
    ctx.ipam.reserve(addressSpace(doc), gateway, 'gateway');
    for (const aux of Object.values(doc.IPAM.Config[0]?.AuxiliaryAddresses ?? {})) ctx.ipam.reserve(addressSpace(doc), aux, AUX_OWNER);
    await ctx.driver.ensureBridge(doc.BridgeName!, gateway, subnet.prefix);
    await applyFirewallNetworks(ctx);
    await listenDns(ctx, doc.Id, doc.Name, gateway);
  } catch (err) {
    ctx.repo.deleteNetwork(doc.Id);
    ctx.dns.close(doc.Id);
    await ctx.driver.deleteBridge(doc.BridgeName!).catch(() => {});
    await applyFirewallNetworks(ctx).catch(() => {});
    throw err;
  }
  ctx.events.emit({ Type: 'network', Action: 'create', Actor: { ID: doc.Id, Attributes: { name: doc.Name, type: 'bridge' } } });
  return { Id: doc.Id, Warning: '' };
}

/** The document of a new user network, checked as dockerd checks a create request. */
function newUserNetworkDoc(ctx: NetworkContext, req: NetworkCreateRequest): NetworkDoc {
  const name = req.Name ?? '';
  checkCreate(ctx, req, name);
  const options = { ...(req.Options ?? {}) };
  const ipv4 = ipv4Pool(ctx, req);
  const ipv6Configs = (req.IPAM?.Config ?? []).filter(isIPv6Config).map(ipv6ConfigEntry);
  const doc = newNetworkDoc(name, 'bridge', [ipv4, ...ipv6Configs], options, req.Labels ?? {}, !!req.Internal);
  // IPAM.Options as sent: null when the client sent none (docker-py), {} from the docker CLI.
  doc.IPAM.Options = req.IPAM?.Options ?? null;
  doc.Attachable = !!req.Attachable;
  doc.EnableIPv6 = !!req.EnableIPv6;
  doc.BridgeName = options['com.docker.network.bridge.name'] || `br-${doc.Id.slice(0, 12)}`;
  if (ctx.catalog.bridgeNetworks().some((n) => n.BridgeName === doc.BridgeName)) {
    throw new ConflictError(`bridge name ${doc.BridgeName} is already in use`);
  }
  return doc;
}

function checkCreate(ctx: NetworkContext, req: NetworkCreateRequest, name: string): void {
  // dockerd only refuses an empty name: the bridge device is named after the id, not the name.
  if (!name.trim()) throw new InvalidArgumentError('invalid name: name is empty');
  if (PREDEFINED_NETWORKS.includes(name)) throw new ForbiddenError(`operation is not permitted on predefined ${name} network `);
  const driver = req.Driver || 'bridge';
  if (ctx.repo.listNetworks().some((n) => n.Name === name)) throw new ConflictError(`network with name ${name} already exists`);
  if (driver === 'host' || driver === 'null') throw new ForbiddenError(`only one instance of "${driver}" network is allowed`);
  if (driver !== 'bridge') throw new NotFoundError(`plugin "${driver}" not found`);
  if (req.IPAM?.Driver && req.IPAM.Driver !== 'default') throw new NotFoundError(`plugin "${req.IPAM.Driver}" not found`);
}

/** The IPv4 pool asked for, or the next free one of the default address pools. */
function ipv4Pool(ctx: NetworkContext, req: NetworkCreateRequest): IPAMConfigEntry {
  const first = (req.IPAM?.Config ?? []).filter((c) => !isIPv6Config(c))[0];
  const existing = ctx.catalog.bridgeNetworks().map((n) => addressing(n).subnet);
  if (first?.Subnet) return ipv4ConfigEntry({ ...first, Subnet: first.Subnet }, existing);
  const subnet = ctx.ipam.pickSubnet(ctx.config['default-address-pools'], existing, ctx.catalog.bridgeDevices());
  return { Subnet: formatSubnet(subnet), Gateway: formatIPv4(subnet.base + 1) };
}

/** GET /networks: filters dangling, driver, id, label, label!, name, scope, type. */
export function listNetworks(ctx: NetworkContext, filters: FilterArgs): NetworkInspect[] {
  const keep = networkListFilter(filters);
  return ctx.repo
    .listNetworks()
    .filter((doc) => keep({ doc, inUse: ctx.repo.endpointsOfNetwork(doc.Id).length > 0 }))
    .map((n) => networkInspect(n, undefined));
}

export function inspectNetwork(ctx: NetworkContext, idOrName: string): NetworkInspect {
  const n = ctx.catalog.find(idOrName);
  return networkInspect(n, ctx.repo.endpointsOfNetwork(n.Id));
}

export async function removeNetwork(ctx: NetworkContext, idOrName: string): Promise<void> {
  const n = ctx.catalog.find(idOrName);
  if (PREDEFINED_NETWORKS.includes(n.Name)) throw new ForbiddenError(`${n.Name} is a pre-defined network and cannot be removed`);
  if (ctx.repo.endpointsOfNetwork(n.Id).length) {
    // Docker answers 403 here (libnetwork's ActiveEndpointsError is Forbidden).
    throw new ForbiddenError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
  }
  ctx.dns.close(n.Id);
  ctx.repo.deleteNetwork(n.Id);
  await ctx.driver.deleteBridge(n.BridgeName!);
  await applyFirewallNetworks(ctx);
  ctx.events.emit({ Type: 'network', Action: 'destroy', Actor: { ID: n.Id, Attributes: { name: n.Name, type: n.Driver } } });
}

/** POST /networks/prune: user networks without endpoints; filters until, label, label!. */
export async function pruneNetworks(ctx: NetworkContext, filters: FilterArgs): Promise<{ NetworksDeleted: string[] }> {
  const prunable = networkPruneFilter(filters);
  const deleted: string[] = [];
  for (const doc of ctx.repo.listNetworks()) {
    if (!prunable({ doc, inUse: ctx.repo.endpointsOfNetwork(doc.Id).length > 0 })) continue;
    await removeNetwork(ctx, doc.Id);
    deleted.push(doc.Name);
  }
  return { NetworksDeleted: deleted };
}
