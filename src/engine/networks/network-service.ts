import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConflictError } from '../../common/errors.js';
import type { FilterArgs } from '../../common/filters.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { Db } from '../../store/database.js';
import { NetworkRepository } from '../../store/network-repository.js';
import type { EventSink } from '../events/event-bus.js';
import { BridgeDriver } from './bridge-driver.js';
import { readHostResolvConf } from './container-files.js';
import { DnsLookup } from './dns-lookup.js';
import { DnsServer } from './dns-server.js';
import { Firewall } from './firewall.js';
import { Ipam } from './ipam.js';
import { checkConnect, connectLive, disconnectLive, liveResolvConf } from './live-endpoints.js';
import { addressing, firewallNetwork, isDefaultBridge } from './network-addressing.js';
import { NetworkCatalog } from './network-catalog.js';
import { listenDns, type NetworkContext } from './network-context.js';
import { createNetwork, inspectNetwork, listNetworks, pruneNetworks, removeNetwork } from './network-crud.js';
import type {
  ContainerNetworkRequest,
  ContainerNetworkSetup,
  EndpointRequest,
  EndpointSettings,
  NetworkCreateRequest,
  NetworkServiceConfig,
  NetworkSettings,
} from './network-models.js';
import type { NetworkDoc, NetworkInspect } from './network-types.js';
import { PortPublisher, type ExposedPorts } from './port-publisher.js';
import { ensurePredefinedNetworks } from './predefined-networks.js';
import { reconcileSandboxes, teardownSandbox } from './sandbox-cleanup.js';
import type { SandboxEnv } from './sandbox-modes.js';
import { selectSandbox } from './sandbox-select.js';
import { containerIdleSettings, containerSettings } from './sandbox-settings.js';

export type * from './network-models.js';
export { parseLink } from './link-spec.js';

export interface NetworkServiceDeps {
  db: Db;
  paths: BerthPaths;
  config: NetworkServiceConfig;
  logger: Logger;
  events: EventSink;
  /**
   * Name of berth's nftables table and prefix of its iptables chains. Defaults to one derived from
   * the default bridge, so several berthds on one host (tests, benchmarks) never rewrite each other's rules.
   */
  firewallName?: string;
}

/**
 * Networks of berth, Docker's way: the default `bridge` plus `host` and `none`, user-defined
 * bridge networks with an embedded DNS server, and each container's sandbox (its network
 * namespace, endpoints, published ports, hosts and resolv.conf). A facade: network CRUD is in
 * network-crud.ts, each network mode's sandbox in sandbox-<mode>.ts, name resolution in
 * dns-lookup.ts and the inspect documents in network-views.ts.
 */
export class NetworkService {
  private readonly ctx: NetworkContext;
  private readonly nsDir: string;

  constructor(deps: NetworkServiceDeps) {
    const repo = new NetworkRepository(deps.db);
    this.nsDir = dirname(deps.paths.netns('x'));
    const lookup = new DnsLookup(repo, () => readHostResolvConf().nameservers);
    this.ctx = {
      repo,
      catalog: new NetworkCatalog(repo),
      ipam: new Ipam(repo),
      driver: new BridgeDriver(deps.logger, this.nsDir),
      firewall: new Firewall(deps.logger, deps.firewallName ?? firewallNameFor(deps.config.bridge)),
      ports: new PortPublisher(),
      dns: new DnsServer(lookup, deps.logger),
      logger: deps.logger,
      events: deps.events,
      config: deps.config,
    };
  }

  /**
   * Ensures the predefined networks exist, recreates every bridge, the firewall (with every
   * published port of known containers) and the DNS listeners: after a reboot nothing is left.
   */
  async init(): Promise<void> {
    const ctx = this.ctx;
    mkdirSync(this.nsDir, { recursive: true });
    ensurePredefinedNetworks(ctx);
    const bridges = ctx.catalog.bridgeNetworks();
    for (const n of bridges) {
      const { gateway, subnet } = addressing(n);
      await ctx.driver.ensureBridge(n.BridgeName!, gateway, subnet.prefix);
    }
    await ctx.firewall.reset(
      bridges.map(firewallNetwork),
      ctx.repo.allSandboxes().flatMap((s) => s.ports),
    );
    for (const n of bridges) if (!isDefaultBridge(n)) await listenDns(ctx, n.Id, n.Name, addressing(n).gateway);
  }

  /**
   * Stops the DNS listeners, releases held ports and ends the helper processes (berthd shutdown).
   * Rules and namespaces stay for live containers.
   */
  async close(): Promise<void> {
    this.ctx.dns.closeAll();
    this.ctx.ports.releaseAll();
    this.ctx.firewall.close();
    await this.ctx.driver.close();
  }

  /** Namespace files made ahead of time for the next containers (not leaks). */
  pooledNamespaces(): string[] {
    return this.ctx.driver.pooledPaths();
  }

  /** Removes every bridge, rule and listener of berth (tests, uninstall). */
  async destroyAll(): Promise<void> {
    for (const sb of this.ctx.repo.allSandboxes()) await this.teardownContainer(sb.containerId);
    await this.close();
    for (const n of this.ctx.catalog.bridgeNetworks()) await this.ctx.driver.deleteBridge(n.BridgeName!);
    await this.ctx.firewall.removeAll();
  }

  // --- networks -----------------------------------------------------------------------------

  create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    return createNetwork(this.ctx, req);
  }

  /** GET /networks: filters driver, id, label, name, scope, type (custom|builtin), dangling. */
  list(filters: FilterArgs = {}): NetworkInspect[] {
    return listNetworks(this.ctx, filters);
  }

  inspect(idOrName: string): NetworkInspect {
    return inspectNetwork(this.ctx, idOrName);
  }

  remove(idOrName: string): Promise<void> {
    return removeNetwork(this.ctx, idOrName);
  }

  /** POST /networks/prune: user networks without endpoints; filters until, label, label!. */
  prune(filters: FilterArgs = {}): Promise<{ NetworksDeleted: string[] }> {
    return pruneNetworks(this.ctx, filters);
  }

  /** Resolves a network reference to its document (id, name or unique id prefix). */
  network(idOrName: string): NetworkDoc {
    return this.ctx.catalog.find(idOrName);
  }

  // --- containers ---------------------------------------------------------------------------

  /**
   * Creates the container's network sandbox, to be called between create and start: the
   * namespace file (put it into the OCI spec), endpoints with addresses, published ports,
   * and the hosts/resolv.conf contents to bind-mount. All or nothing.
   */
  async setupContainer(c: ContainerNetworkRequest): Promise<ContainerNetworkSetup> {
    if (this.ctx.repo.getSandbox(c.id)) throw new ConflictError(`container ${c.id} already has a network sandbox`);
    const env: SandboxEnv = {
      hostResolv: readHostResolvConf(),
      readHostFile: (path) => readFileSync(path, 'utf8'),
      teardown: (id) => this.teardownContainer(id),
    };
    return selectSandbox(c.networkMode)(this.ctx, c, env);
  }

  /**
   * NetworkSettings of a container that is not running, as Docker shows them: every network it
   * will join at start, with its configured aliases, address and MAC but no live addresses.
   */
  idleSettings(c: Pick<ContainerNetworkRequest, 'networkMode' | 'networks' | 'exposedPorts' | 'macAddress'>): NetworkSettings {
    return containerIdleSettings(this.ctx, c);
  }

  /** Checks that a container may be connected to a network (Docker's checks and messages). */
  checkConnect(networkIdOrName: string, container: { name: string; networkMode: string; networks: string[] }): NetworkDoc {
    return checkConnect(this.ctx, networkIdOrName, container);
  }

  /** The container's current NetworkSettings (after setup or connect/disconnect). */
  settingsFor(containerId: string, exposedPorts: ExposedPorts = {}): NetworkSettings {
    return containerSettings(this.ctx, containerId, exposedPorts);
  }

  /** Removes the sandbox: ports, endpoints, addresses, namespace. Safe to call twice. */
  teardownContainer(containerId: string): Promise<void> {
    return teardownSandbox(this.ctx, containerId);
  }

  /** POST /networks/{id}/connect for a running container (one that has a sandbox). */
  connect(networkIdOrName: string, containerId: string, req: EndpointRequest = {}): Promise<EndpointSettings> {
    return connectLive(this.ctx, networkIdOrName, containerId, req);
  }

  /** The resolv.conf of a running container after a live connect or disconnect (undefined: leave it). */
  resolvConfFor(c: Pick<ContainerNetworkRequest, 'id' | 'dns' | 'dnsSearch' | 'dnsOptions'>): string | undefined {
    return liveResolvConf(this.ctx, c, readHostResolvConf());
  }

  /** POST /networks/{id}/disconnect for a running container. */
  disconnect(networkIdOrName: string, containerId: string, force = false): Promise<void> {
    return disconnectLive(this.ctx, networkIdOrName, containerId, force);
  }

  /**
   * Start-up clean-up: tears down sandboxes of containers that are gone or died while berthd was
   * down, frees their addresses, deletes stray namespace files and veths, and holds the published
   * ports of the live ones again.
   */
  reconcile(liveContainerIds: Set<string>): Promise<void> {
    return reconcileSandboxes(this.ctx, liveContainerIds, this.nsDir);
  }
}

/** `berth` for the standard bridge berth0; otherwise the bridge's name (at most 15 characters). */
export function firewallNameFor(bridge: string): string {
  return bridge === 'berth0' ? 'berth' : bridge.replace(/[^A-Za-z0-9_-]/g, '_');
}
