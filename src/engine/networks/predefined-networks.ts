import { newId } from '../../common/ids.js';
import { formatIPv4, formatSubnet, parseAddressWithPrefix } from './ipv4.js';
import { addressSpace, addressing, isDefaultBridge } from './network-addressing.js';
import type { NetworkContext } from './network-context.js';
import type { IPAMConfigEntry, NetworkDoc } from './network-types.js';

/** A new network document in Docker's shape (and key order). */
export function newNetworkDoc(
  name: string,
  driver: string,
  config: IPAMConfigEntry[],
  options: Record<string, string>,
  labels: Record<string, string>,
  internal: boolean,
): NetworkDoc {
  return {
    Name: name,
    Id: newId(),
    Created: new Date().toISOString(),
    Scope: 'local',
    Driver: driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: driver === 'bridge' && name !== 'bridge' ? {} : null, Config: config },
    Internal: internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Options: options,
    Labels: labels,
  };
}

/** Records `host`, `none` and the default `bridge` (on the configured device and bip) when missing. */
export function ensurePredefinedNetworks(ctx: Pick<NetworkContext, 'repo' | 'catalog' | 'ipam' | 'config'>): void {
  const byName = new Map(ctx.repo.listNetworks().map((n) => [n.Name, n]));
  for (const [name, driver] of [
    ['host', 'host'],
    ['none', 'null'],
  ] as const) {
    if (!byName.has(name)) ctx.repo.putNetwork(newNetworkDoc(name, driver, [], {}, {}, false));
  }
  ensureDefaultBridge(ctx, byName.get('bridge'));
}

function ensureDefaultBridge(ctx: Pick<NetworkContext, 'repo' | 'catalog' | 'ipam' | 'config'>, existing: NetworkDoc | undefined): void {
  const cfg = ctx.config;
  const ipamConfig = [defaultBridgePool(ctx)];
  const doc = existing ?? newNetworkDoc('bridge', 'bridge', ipamConfig, defaultBridgeOptions(cfg.bridge), {}, false);
  // A changed bip or device applies once no container is on the old one.
  const changed = existing && (existing.IPAM.Config[0]?.Subnet !== ipamConfig[0]!.Subnet || existing.BridgeName !== cfg.bridge);
  if (changed && ctx.repo.endpointsOfNetwork(existing.Id).length === 0) {
    ctx.repo.deleteNetwork(existing.Id);
    doc.IPAM.Config = ipamConfig;
  }
  doc.BridgeName = cfg.bridge;
  doc.Options['com.docker.network.bridge.name'] = cfg.bridge;
  ctx.repo.putNetwork(doc);
  ctx.ipam.reserve(addressSpace(doc), addressing(doc).gateway, 'gateway');
}

/** The default bridge's pool: bip, unless that is routed elsewhere already. */
function defaultBridgePool(ctx: Pick<NetworkContext, 'catalog' | 'ipam' | 'config'>): IPAMConfigEntry {
  const cfg = ctx.config;
  const bip = parseAddressWithPrefix(cfg.bip);
  let subnet = bip.subnet;
  let gateway = formatIPv4(bip.address === bip.subnet.base ? bip.subnet.base + 1 : bip.address);
  const others = ctx.catalog
    .bridgeNetworks()
    .filter((n) => !isDefaultBridge(n))
    .map((n) => addressing(n).subnet);
  const ownDevices = [...ctx.catalog.bridgeDevices(), cfg.bridge];
  try {
    subnet = ctx.ipam.pickSubnet([{ base: formatSubnet(subnet), size: subnet.prefix }], others, ownDevices);
  } catch {
    // bip is routed elsewhere already (docker0 has 172.17/16): next free pool, as dockerd does
    subnet = ctx.ipam.pickSubnet(cfg['default-address-pools'], others, ownDevices);
    gateway = formatIPv4(subnet.base + 1);
  }
  return { Subnet: formatSubnet(subnet), Gateway: gateway };
}

function defaultBridgeOptions(device: string): Record<string, string> {
  return {
    'com.docker.network.bridge.default_bridge': 'true',
    'com.docker.network.bridge.enable_icc': 'true',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
    'com.docker.network.bridge.name': device,
    'com.docker.network.driver.mtu': '1500',
  };
}
