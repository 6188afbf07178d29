import { isDefaultBridge } from './network-addressing.js';
import type { ContainerNetworkRequest, EndpointRequest, EndpointSettings, NetworkSettings } from './network-models.js';
import type { EndpointIPAMConfig, EndpointRecord, NetworkDoc, NetworkInspect, SandboxRecord } from './network-types.js';
import type { ExposedPorts } from './port-publisher.js';

// The documents inspect shows: a network's (GET /networks/{id}) and a container's NetworkSettings,
// built from the stored records only, so they are tested without a host.

/** GET /networks/{id}: the stored document with its containers (left out of a list, as Docker does). */
export function networkInspect(n: NetworkDoc, endpoints: EndpointRecord[] | undefined): NetworkInspect {
  const { BridgeName: _bridge, ...doc } = n;
  const containers: NetworkInspect['Containers'] = {};
  for (const ep of endpoints ?? []) {
    containers[ep.containerId] = {
      Name: ep.containerName,
      EndpointID: ep.endpointId,
      MacAddress: ep.macAddress,
      IPv4Address: `${ep.ipAddress}/${ep.prefixLen}`,
      IPv6Address: '',
    };
  }
  return { ...doc, Containers: containers };
}

export function emptySettings(sandboxKey: string, sandboxId: string): NetworkSettings {
  return {
    Bridge: '',
    SandboxID: sandboxId,
    SandboxKey: sandboxKey,
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: {},
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: {},
  };
}

/** NetworkSettings.Networks[name]: live values from the endpoint, empty ones without it. */
export function endpointSettings(n: NetworkDoc, ep: EndpointRecord | undefined): EndpointSettings {
  return {
    IPAMConfig: compactIpamConfig(ep?.ipamConfig ?? (ep?.staticIp ? { IPv4Address: ep.staticIp } : null)),
    Links: ep?.links?.length ? ep.links : null,
    Aliases: ep?.aliases.length ? ep.aliases : null,
    MacAddress: ep?.macAddress ?? '',
    DriverOpts: ep?.driverOpts && Object.keys(ep.driverOpts).length ? ep.driverOpts : null,
    GwPriority: 0,
    NetworkID: n.Id,
    EndpointID: ep?.endpointId ?? '',
    Gateway: ep?.gateway ?? '',
    IPAddress: ep?.ipAddress ?? '',
    IPPrefixLen: ep?.prefixLen ?? 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: ep?.dnsNames.length ? ep.dnsNames : null,
  };
}

/**
 * A running container's NetworkSettings: its published ports, one entry per network, and the
 * default bridge's addresses repeated at the top level as Docker does.
 */
export function sandboxSettings(
  containerId: string,
  sb: SandboxRecord | undefined,
  endpoints: { network: NetworkDoc; endpoint: EndpointRecord }[],
  exposedPorts: ExposedPorts = {},
): NetworkSettings {
  const settings = emptySettings(sb?.netnsPath ?? '', sb?.netnsPath ? containerId : '');
  for (const key of Object.keys(exposedPorts)) settings.Ports[key] = null;
  for (const p of sb?.ports ?? []) {
    const key = `${p.containerPort}/${p.proto}`;
    (settings.Ports[key] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
  }
  for (const { network: n, endpoint: ep } of endpoints) {
    settings.Networks[n.Name] = endpointSettings(n, ep);
    if (isDefaultBridge(n)) {
      Object.assign(settings, {
        EndpointID: ep.endpointId,
        Gateway: ep.gateway,
        IPAddress: ep.ipAddress,
        IPPrefixLen: ep.prefixLen,
        MacAddress: ep.macAddress,
      });
    }
  }
  return settings;
}

/**
 * NetworkSettings of a container that is not running, as Docker shows them: every network it
 * will join at start, with its configured aliases, address and MAC but no live addresses.
 * `find` answers undefined for a network removed since (Docker fails at start, inspect still works).
 */
export function idleSettings(
  c: Pick<ContainerNetworkRequest, 'networkMode' | 'networks' | 'exposedPorts' | 'macAddress'>,
  find: (idOrName: string) => NetworkDoc | undefined,
): NetworkSettings {
  const settings = emptySettings('', '');
  for (const key of Object.keys(c.exposedPorts ?? {})) settings.Ports[key] = null;
  const mode = primaryMode(c.networkMode);
  if (mode.startsWith('container:')) return settings;
  for (const [key, req] of mergedEndpointRequests(mode, c.networks)) {
    const n = find(key);
    if (!n) continue;
    settings.Networks[n.Name] = {
      ...endpointSettings(n, undefined),
      IPAMConfig: compactIpamConfig(req.IPAMConfig),
      Links: req.Links?.length ? req.Links : null,
      DriverOpts: req.DriverOpts && Object.keys(req.DriverOpts).length ? req.DriverOpts : null,
      Aliases: req.Aliases?.length ? req.Aliases : null,
      MacAddress: req.MacAddress || (key === mode ? c.macAddress ?? '' : ''),
    };
  }
  return settings;
}

/** The mode's network first, then EndpointsConfig; "default" (the docker CLI's name) is the mode's. */
function mergedEndpointRequests(mode: string, networks: Record<string, EndpointRequest> | undefined): [string, EndpointRequest][] {
  const entries: [string, EndpointRequest][] = [[mode, {}]];
  for (const [key, req] of Object.entries(networks ?? {})) {
    const name = key === 'default' ? mode : key;
    const i = entries.findIndex(([k]) => k === name);
    if (i >= 0) entries[i] = [name, { ...entries[i]![1], ...stripEmpty(req ?? {}) }];
    else entries.push([name, req ?? {}]);
  }
  return entries;
}

/** HostConfig.NetworkMode with "default" and "" meaning the default bridge. */
export function primaryMode(networkMode: string | undefined): string {
  return networkMode === 'default' || !networkMode ? 'bridge' : networkMode;
}

/** An endpoint request without empty fields, so it does not override what an earlier one set. */
export function stripEmpty(req: EndpointRequest): EndpointRequest {
  const out: EndpointRequest = {};
  if (req.Aliases?.length) out.Aliases = req.Aliases;
  if (compactIpamConfig(req.IPAMConfig)) out.IPAMConfig = req.IPAMConfig;
  if (req.MacAddress) out.MacAddress = req.MacAddress;
  if (req.Links?.length) out.Links = req.Links;
  if (req.DriverOpts && Object.keys(req.DriverOpts).length) out.DriverOpts = req.DriverOpts;
  return out;
}

/** Docker's EndpointIPAMConfig: empty fields left out, null when nothing is set. */
export function compactIpamConfig(c: EndpointIPAMConfig | null | undefined): EndpointIPAMConfig | null {
  if (!c) return null;
  const out: EndpointIPAMConfig = {
    ...(c.IPv4Address ? { IPv4Address: c.IPv4Address } : {}),
    ...(c.IPv6Address ? { IPv6Address: c.IPv6Address } : {}),
    ...(c.LinkLocalIPs?.length ? { LinkLocalIPs: c.LinkLocalIPs } : {}),
  };
  return Object.keys(out).length ? out : null;
}
