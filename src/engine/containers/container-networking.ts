// How a container's record turns into the network service's request, and the record of a
// `network connect/disconnect`.
import { writeFileSync } from 'node:fs';
import type { ContainerContext } from './container-context.js';
import type { ContainerRecord, EndpointSettings, NetworkSettings } from './container-model.js';
import type { ContainerNetworkRequest, EndpointRequest } from './ports.js';

/** The network service's view of a container: its mode (container: resolved to a full id), networks, ports, DNS. */
export function networkRequest(ctx: ContainerContext, c: ContainerRecord): ContainerNetworkRequest {
  const h = c.HostConfig;
  let mode = h.NetworkMode === 'default' || !h.NetworkMode ? 'bridge' : h.NetworkMode;
  // networking (marked edit): container:<name or id prefix> joins that container's namespace by full id.
  if (mode.startsWith('container:')) {
    const ref = mode.slice(10);
    const other = [...ctx.byId.values()].find((o) => o.Id === ref || o.Name === `/${ref}` || o.Id.startsWith(ref));
    if (other) mode = `container:${other.Id}`;
  }
  // The docker CLI names the default network "default" in EndpointsConfig too.
  const networks: ContainerNetworkRequest['networks'] = {};
  for (const [n, cfg] of Object.entries(c.endpointsConfig ?? {})) networks[n === 'default' ? 'bridge' : n] = endpointRequest(cfg);
  return {
    id: c.Id,
    name: c.Name.slice(1),
    hostname: c.Config.Hostname ?? '',
    domainname: c.Config.Domainname ?? '',
    networkMode: mode,
    networks,
    portBindings: h.PortBindings ?? {},
    exposedPorts: c.Config.ExposedPorts ?? {},
    publishAll: !!h.PublishAllPorts,
    dns: h.Dns ?? [],
    dnsSearch: h.DnsSearch ?? [],
    dnsOptions: h.DnsOptions ?? [],
    extraHosts: h.ExtraHosts ?? [],
    macAddress: c.Config.MacAddress,
  };
}

/** A copy of an endpoint's settings for the network service (a null LinkLocalIPs reads as none); keys keep their order. */
function endpointRequest(cfg: EndpointSettings | null): EndpointRequest {
  const out: EndpointSettings = { ...(cfg ?? {}) };
  const ipam = out.IPAMConfig;
  if (!ipam || ipam.LinkLocalIPs !== null) return out as EndpointRequest; // no null list left: the shapes agree
  const { LinkLocalIPs: _none, ...kept } = ipam;
  out.IPAMConfig = kept;
  return out as EndpointRequest;
}

/** NetworkSettings of a container that is not running. */
export function idleSettings(ctx: ContainerContext, c: ContainerRecord): NetworkSettings {
  return ctx.d.networks.idleSettings(networkRequest(ctx, c));
}

/**
 * Records a network connection (config) or disconnection (undefined) in the container, applied
 * at its next start: `network connect/disconnect` of a container that is not running, and the
 * record kept for one that is. `settings` replaces NetworkSettings of a running container after
 * a live connect; a stopped one gets its idle settings recomputed.
 */
export function setEndpointConfig(
  ctx: ContainerContext,
  c: ContainerRecord,
  network: string,
  config: EndpointSettings | undefined,
  settings?: NetworkSettings,
): void {
  const endpoints = { ...(c.endpointsConfig ?? {}) };
  if (config) endpoints[network] = config;
  else delete endpoints[network];
  c.endpointsConfig = endpoints;
  if (settings) c.NetworkSettings = settings;
  else if (!c.State.Running) c.NetworkSettings = idleSettings(ctx, c);
  ctx.d.repo.save(c);
  // A live change: joining the first user network moves it to the embedded DNS, leaving the last
  // one moves it back, as dockerd does. Written in place: the file is bind-mounted by inode.
  if (!settings || !c.State.Running) return;
  const sharers = [...ctx.byId.values()].filter((o) => o.State.Running && networkRequest(ctx, o).networkMode === `container:${c.Id}`);
  for (const x of [c, ...sharers]) {
    const resolv = ctx.d.networks.resolvConfFor(networkRequest(ctx, x));
    if (resolv !== undefined) writeFileSync(x.ResolvConfPath, resolv);
  }
}
