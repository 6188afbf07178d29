import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  SystemError,
} from '../../common/errors.js';
import { newId, shortId } from '../../common/ids.js';
import type { Logger } from '../../common/logger.js';
import type { BerthPaths } from '../../common/paths.js';
import type { Db } from '../../store/database.js';
import { NetworkRepository } from '../../store/network-repository.js';
import type { EventSink } from '../events/event-bus.js';
import { BridgeDriver, type EndpointLink } from './bridge-driver.js';
import { buildHostsFile, buildResolvConf, readHostResolvConf } from './container-files.js';
import { DnsServer } from './dns-server.js';
import { Firewall, type FirewallNetwork } from './firewall.js';
import { Ipam, type AddressSpace } from './ipam.js';
import { formatIPv6, formatSubnet6, isIPv6, parseIPv6, parseSubnet6, subnet6Contains } from './ipv6.js';
import { formatIPv4, formatSubnet, isIPv4, macForIPv4, parseAddressWithPrefix, parseIPv4, parseSubnet, subnetContains, subnetsOverlap } from './ipv4.js';
import type { EndpointIPAMConfig, EndpointRecord, IPAMConfigEntry, NetworkDoc, NetworkInspect, SandboxRecord } from './network-types.js';
import { PortPublisher, type ExposedPorts, type PortBindings } from './port-publisher.js';

/** What the network service takes of the daemon's configuration (dockerd's key names). */
export interface NetworkServiceConfig {
  bridge: string;
  bip: string;
  'default-address-pools': { base: string; size: number }[];
}

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

export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  CheckDuplicate?: boolean;
  IPAM?: { Driver?: string; Config?: IPAMConfigEntry[] | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** Docker's EndpointSettings (NetworkSettings.Networks[name]). */
export interface EndpointSettings {
  IPAMConfig: EndpointIPAMConfig | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

/** Docker's NetworkSettings of a container. */
export interface NetworkSettings {
  Bridge: string;
  SandboxID: string;
  SandboxKey: string;
  HairpinMode: boolean;
  LinkLocalIPv6Address: string;
  LinkLocalIPv6PrefixLen: number;
  Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
  SecondaryIPAddresses: null;
  SecondaryIPv6Addresses: null;
  EndpointID: string;
  Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  MacAddress: string;
  Networks: Record<string, EndpointSettings>;
}

/** What the container service passes in for one network of a container (Docker's EndpointSettings). */
export interface EndpointRequest {
  Aliases?: string[] | null;
  IPAMConfig?: EndpointIPAMConfig | null;
  MacAddress?: string;
  /** "name:alias": the alias answers, for this container only, with the address of container name. */
  Links?: string[] | null;
  /** Kept and reported; the bridge driver has no endpoint options that berth acts on. */
  DriverOpts?: Record<string, string> | null;
}

export interface ContainerNetworkRequest {
  id: string;
  name: string;
  hostname: string;
  /** HostConfig.NetworkMode: default, bridge, host, none, container:<full id>, or a network name/id. */
  networkMode: string;
  /** NetworkingConfig.EndpointsConfig. */
  networks?: Record<string, EndpointRequest>;
  portBindings?: PortBindings | null;
  exposedPorts?: ExposedPorts | null;
  publishAll?: boolean;
  dns?: string[] | null;
  dnsSearch?: string[] | null;
  dnsOptions?: string[] | null;
  extraHosts?: string[] | null;
  /** Config.MacAddress (API < 1.44): the primary network's MAC unless its endpoint sets one. */
  macAddress?: string;
}

export interface ContainerNetworkSetup {
  /** The namespace to put into the OCI spec; undefined for host mode. */
  netnsPath?: string;
  settings: NetworkSettings;
  hostsFile: string;
  resolvConf: string;
}

const PREDEFINED = ['bridge', 'host', 'none'];
/** Owner of IPAM.Config AuxiliaryAddresses in ip_allocations: never handed to a container. */
const AUX_OWNER = 'aux';

/**
 * Networks of berth, Docker's way: the default `bridge` plus `host` and `none`, user-defined
 * bridge networks with an embedded DNS server, and each container's sandbox (its network
 * namespace, endpoints, published ports, hosts and resolv.conf).
 */
export class NetworkService {
  private readonly repo: NetworkRepository;
  private readonly ipam: Ipam;
  private readonly driver: BridgeDriver;
  private readonly firewall: Firewall;
  private readonly ports = new PortPublisher();
  private readonly dns: DnsServer;
  private readonly logger: Logger;

  constructor(private readonly deps: NetworkServiceDeps) {
    this.logger = deps.logger;
    this.repo = new NetworkRepository(deps.db);
    this.ipam = new Ipam(this.repo);
    this.driver = new BridgeDriver(deps.logger, dirname(deps.paths.netns('x')));
    this.firewall = new Firewall(deps.logger, deps.firewallName ?? firewallNameFor(deps.config.bridge));
    this.dns = new DnsServer(
      {
        lookup: (networkId, name, clientIp) => this.dnsLookup(networkId, name, clientIp),
        upstreams: (networkId, clientIp) => this.dnsUpstreams(networkId, clientIp),
      },
      deps.logger,
    );
  }

  /**
   * Ensures the predefined networks exist, recreates every bridge, the firewall (with every
   * published port of known containers) and the DNS listeners: after a reboot nothing is left.
   */
  async init(): Promise<void> {
    mkdirSync(dirname(this.deps.paths.netns('x')), { recursive: true });
    const byName = new Map(this.repo.listNetworks().map((n) => [n.Name, n]));
    for (const [name, driver] of [
      ['host', 'host'],
      ['none', 'null'],
    ] as const) {
      if (!byName.has(name)) this.repo.putNetwork(this.newDoc(name, driver, [], {}, {}, false));
    }
    this.ensureDefaultBridge(byName.get('bridge'));
    const bridges = this.bridgeNetworks();
    for (const n of bridges) {
      const { gateway, subnet } = this.addressing(n);
      await this.driver.ensureBridge(n.BridgeName!, gateway, subnet.prefix);
    }
    await this.firewall.reset(
      bridges.map((n) => this.firewallNetwork(n)),
      this.repo.allSandboxes().flatMap((s) => s.ports),
    );
    for (const n of bridges) if (!this.isDefaultBridge(n)) await this.listenDns(n);
  }

  /**
   * Stops the DNS listeners, releases held ports and ends the helper processes (berthd shutdown).
   * Rules and namespaces stay for live containers.
   */
  async close(): Promise<void> {
    this.dns.closeAll();
    this.ports.releaseAll();
    this.firewall.close();
    await this.driver.close();
  }

  /** Namespace files made ahead of time for the next containers (not leaks). */
  pooledNamespaces(): string[] {
    return this.driver.pooledPaths();
  }

  /** Removes every bridge, rule and listener of berth (tests, uninstall). */
  async destroyAll(): Promise<void> {
    for (const sb of this.repo.allSandboxes()) await this.teardownContainer(sb.containerId);
    await this.close();
    for (const n of this.bridgeNetworks()) await this.driver.deleteBridge(n.BridgeName!);
    await this.firewall.removeAll();
  }

  // --- networks -----------------------------------------------------------------------------

  async create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const name = req.Name ?? '';
    // dockerd only refuses an empty name: the bridge device is named after the id, not the name.
    if (!name.trim()) throw new InvalidArgumentError('invalid name: name is empty');
    if (PREDEFINED.includes(name)) throw new ForbiddenError(`operation is not permitted on predefined ${name} network `);
    const driver = req.Driver || 'bridge';
    if (this.repo.listNetworks().some((n) => n.Name === name)) {
      throw new ConflictError(`network with name ${name} already exists`);
    }
    if (driver === 'host' || driver === 'null') throw new ForbiddenError(`only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw new NotFoundError(`plugin "${driver}" not found`);
    if (req.IPAM?.Driver && req.IPAM.Driver !== 'default') throw new NotFoundError(`plugin "${req.IPAM.Driver}" not found`);
    const options = { ...(req.Options ?? {}) };
    const configs = (req.IPAM?.Config ?? []).filter((c) => !isIPv6Config(c));
    const existing = this.bridgeNetworks().map((n) => this.addressing(n).subnet);
    let ipamConfig: IPAMConfigEntry;
    if (configs.length && configs[0]!.Subnet) {
      const c = configs[0]!;
      const subnet = parseSubnet(c.Subnet!);
      if (existing.some((e) => subnetsOverlap(e, subnet))) throw new ForbiddenError('Pool overlaps with other one on this address space');
      const gateway = c.Gateway ?? formatIPv4(subnet.base + 1);
      if (!subnetContains(subnet, parseIPv4(gateway))) {
        throw new InvalidArgumentError(`no matching subnet for gateway ${gateway}`);
      }
      if (c.IPRange && !subnetContains(subnet, parseSubnet(c.IPRange).base)) {
        throw new InvalidArgumentError(`no matching subnet for range ${c.IPRange}`);
      }
      for (const [k, v] of Object.entries(c.AuxiliaryAddresses ?? {})) {
        if (!subnetContains(subnet, parseIPv4(v))) throw new InvalidArgumentError(`invalid auxiliary address ${k}: ${v} is not in subnet ${formatSubnet(subnet)}`);
      }
      // Docker's key order: Subnet, IPRange, Gateway, AuxiliaryAddresses.
      ipamConfig = {
        Subnet: formatSubnet(subnet),
        ...(c.IPRange ? { IPRange: c.IPRange } : {}),
        Gateway: gateway,
        ...(c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length ? { AuxiliaryAddresses: c.AuxiliaryAddresses } : {}),
      };
    } else {
      const subnet = this.ipam.pickSubnet(this.deps.config['default-address-pools'], existing, this.bridgeDevices());
      ipamConfig = { Subnet: formatSubnet(subnet), Gateway: formatIPv4(subnet.base + 1) };
    }
    const ipv6Configs = (req.IPAM?.Config ?? []).filter(isIPv6Config).map(ipv6ConfigEntry);
    const doc = this.newDoc(name, 'bridge', [ipamConfig, ...ipv6Configs], options, req.Labels ?? {}, !!req.Internal);
    // IPAM.Options as sent: null when the client sent none (docker-py), {} from the docker CLI.
    doc.IPAM.Options = req.IPAM?.Options ?? null;
    doc.Attachable = !!req.Attachable;
    doc.EnableIPv6 = !!req.EnableIPv6;
    doc.BridgeName = options['com.docker.network.bridge.name'] || `br-${doc.Id.slice(0, 12)}`;
    if (this.bridgeNetworks().some((n) => n.BridgeName === doc.BridgeName)) {
      throw new ConflictError(`bridge name ${doc.BridgeName} is already in use`);
    }
    const { gateway, subnet } = this.addressing(doc);
    this.repo.putNetwork(doc);
    try {
      this.ipam.reserve(this.space(doc), gateway, 'gateway');
      for (const aux of Object.values(ipamConfig.AuxiliaryAddresses ?? {})) this.ipam.reserve(this.space(doc), aux, AUX_OWNER);
      await this.driver.ensureBridge(doc.BridgeName, gateway, subnet.prefix);
      await this.firewall.applyNetworks(this.bridgeNetworks().map((n) => this.firewallNetwork(n)));
      await this.listenDns(doc);
    } catch (err) {
      this.repo.deleteNetwork(doc.Id);
      this.dns.close(doc.Id);
      await this.driver.deleteBridge(doc.BridgeName).catch(() => {});
      await this.firewall.applyNetworks(this.bridgeNetworks().map((n) => this.firewallNetwork(n))).catch(() => {});
      throw err;
    }
    this.deps.events.emit({ Type: 'network', Action: 'create', Actor: { ID: doc.Id, Attributes: { name, type: 'bridge' } } });
    return { Id: doc.Id, Warning: '' };
  }

  /** GET /networks: filters driver, id, label, name, scope, type (custom|builtin), dangling. */
  list(filters: Record<string, string[]> = {}): NetworkInspect[] {
    return this.repo
      .listNetworks()
      .filter((n) => this.matches(n, filters))
      .map((n) => this.toInspect(n, false));
  }

  inspect(idOrName: string): NetworkInspect {
    return this.toInspect(this.find(idOrName), true);
  }

  async remove(idOrName: string): Promise<void> {
    const n = this.find(idOrName);
    if (PREDEFINED.includes(n.Name)) throw new ForbiddenError(`${n.Name} is a pre-defined network and cannot be removed`);
    if (this.repo.endpointsOfNetwork(n.Id).length) {
      // Docker answers 403 here (libnetwork's ActiveEndpointsError is Forbidden).
      throw new ForbiddenError(`error while removing network: network ${n.Name} id ${n.Id} has active endpoints`);
    }
    this.dns.close(n.Id);
    this.repo.deleteNetwork(n.Id);
    await this.driver.deleteBridge(n.BridgeName!);
    await this.firewall.applyNetworks(this.bridgeNetworks().map((x) => this.firewallNetwork(x)));
    this.deps.events.emit({ Type: 'network', Action: 'destroy', Actor: { ID: n.Id, Attributes: { name: n.Name, type: n.Driver } } });
  }

  /** POST /networks/prune: user networks without endpoints; filters until, label, label!. */
  async prune(filters: Record<string, string[]> = {}): Promise<{ NetworksDeleted: string[] }> {
    const deleted: string[] = [];
    for (const n of this.repo.listNetworks()) {
      if (PREDEFINED.includes(n.Name) || this.repo.endpointsOfNetwork(n.Id).length) continue;
      if (filters.until?.length && !filters.until.every((u) => Date.parse(n.Created) < untilTime(u))) continue;
      if (!this.matchesLabels(n, filters)) continue;
      await this.remove(n.Id);
      deleted.push(n.Name);
    }
    return { NetworksDeleted: deleted };
  }

  // --- containers ---------------------------------------------------------------------------

  /**
   * Creates the container's network sandbox, to be called between create and start: the
   * namespace file (put it into the OCI spec), endpoints with addresses, published ports,
   * and the hosts/resolv.conf contents to bind-mount. All or nothing.
   */
  async setupContainer(c: ContainerNetworkRequest): Promise<ContainerNetworkSetup> {
    if (this.repo.getSandbox(c.id)) throw new ConflictError(`container ${c.id} already has a network sandbox`);
    const mode = c.networkMode === 'default' || !c.networkMode ? 'bridge' : c.networkMode;
    const hostConf = readHostResolvConf();
    const dns = { dns: c.dns ?? [], dnsSearch: c.dnsSearch ?? [], dnsOptions: c.dnsOptions ?? [] };

    if (mode === 'host') {
      const net = this.find('host');
      if (c.portBindings && Object.keys(c.portBindings).length) {
        this.logger.warn({ container: c.id }, 'published ports are discarded when using host network mode');
      }
      this.repo.putSandbox({ containerId: c.id, containerName: c.name, mode: 'host', ports: [], dnsUpstreams: [], hostname: c.hostname });
      const settings = this.emptySettings('', '');
      settings.Networks.host = this.endpointSettings(net, undefined);
      let hosts = '';
      try {
        hosts = readFileSync('/etc/hosts', 'utf8');
      } catch {
        hosts = buildHostsFile({ hostname: c.hostname, extraHosts: [] });
      }
      const extra = buildHostsFile({ hostname: c.hostname, extraHosts: c.extraHosts ?? [] }).split('\n').slice(6).join('\n');
      let resolv = '';
      try {
        resolv = readFileSync('/etc/resolv.conf', 'utf8');
      } catch {
        resolv = buildResolvConf({ host: hostConf, ...dns }).content;
      }
      if (dns.dns.length || dns.dnsSearch.length || dns.dnsOptions.length) resolv = buildResolvConf({ host: hostConf, ...dns }).content;
      return { settings, hostsFile: hosts + (extra.trim() ? extra : ''), resolvConf: resolv };
    }

    if (mode.startsWith('container:')) {
      const otherId = mode.slice('container:'.length);
      const other = this.repo.getSandbox(otherId);
      if (!other || (!other.netnsPath && other.mode !== 'host')) {
        throw new ConflictError(`cannot join network namespace of a non running container: ${otherId}`);
      }
      this.repo.putSandbox({
        containerId: c.id,
        containerName: c.name,
        mode: 'container',
        sharedWith: otherId,
        ports: [],
        dnsUpstreams: other.dnsUpstreams,
        hostname: c.hostname,
      });
      const eps = this.repo.endpointsOfContainer(otherId);
      const settings = this.emptySettings(other.netnsPath ?? '', '');
      const resolv = buildResolvConf({
        host: hostConf,
        ...dns,
        embeddedServer: eps.find((e) => !this.isDefaultBridge(this.repo.getNetwork(e.networkId)))?.gateway,
      });
      return {
        netnsPath: other.netnsPath,
        settings,
        hostsFile: buildHostsFile({ hostname: c.hostname, address: eps[0]?.ipAddress, extraHosts: c.extraHosts ?? [] }),
        resolvConf: resolv.content,
      };
    }

    if (mode === 'none') {
      // An unrecorded namespace file (crash right here) is removed by reconcile as a stray.
      const netnsPath = await this.driver.createNamespace();
      this.repo.putSandbox({ containerId: c.id, containerName: c.name, mode: 'none', netnsPath, ports: [], dnsUpstreams: [], hostname: c.hostname });
      const settings = this.emptySettings(netnsPath, c.id);
      settings.Networks.none = this.endpointSettings(this.find('none'), undefined);
      return {
        netnsPath,
        settings,
        hostsFile: buildHostsFile({ hostname: c.hostname, extraHosts: c.extraHosts ?? [] }),
        resolvConf: buildResolvConf({ host: hostConf, ...dns }).content,
      };
    }

    // Bridge networks: the mode's network first (it gets the default route and the ports).
    const primary = this.find(mode);
    if (primary.Driver !== 'bridge') throw new InvalidArgumentError(`container cannot be connected to network ${primary.Name}`);
    const requests: [NetworkDoc, EndpointRequest][] = [[primary, c.macAddress ? { MacAddress: c.macAddress } : {}]];
    for (const [key, req] of Object.entries(c.networks ?? {})) {
      // The docker CLI names the primary network "default" when --network is not given.
      const n = key === 'default' ? primary : this.find(key);
      if (n.Id === primary.Id) requests[0] = [primary, { ...requests[0]![1], ...stripEmpty(req ?? {}) }];
      else if (n.Driver === 'bridge') requests.push([n, req ?? {}]);
      else throw new InvalidArgumentError(`container cannot be disconnected from host network or connected to host network`);
    }
    const sandbox: SandboxRecord = {
      containerId: c.id,
      containerName: c.name,
      mode: 'bridge',
      ports: [],
      dnsUpstreams: [],
      hostname: c.hostname,
    };
    const embedded = requests.some(([n]) => !this.isDefaultBridge(n));
    const resolv = buildResolvConf({
      host: hostConf,
      ...dns,
      embeddedServer: embedded ? this.addressing(requests.find(([n]) => !this.isDefaultBridge(n))![0]).gateway : undefined,
    });
    sandbox.dnsUpstreams = resolv.upstreams;
    this.repo.putSandbox(sandbox);
    const endpoints: EndpointRecord[] = [];
    let netnsPath = '';
    try {
      requests.forEach(([n, req], i) => endpoints.push(this.allocateEndpoint(n, c, req, i)));
      const links = endpoints.map((ep, i) => this.link(ep, '', i === 0));
      const first = endpoints[0]!;
      // Reserving the host ports and making the namespace are independent: do both at once, and
      // record what was made before undoing on failure. The DNAT rules wait for the endpoint: a
      // SYN sent to an address that is not up yet is dropped, and the client retries after 1 s.
      const [ns, published] = await Promise.allSettled([
        this.driver.createNamespace(links[0]),
        (async () => {
          sandbox.ports = await this.ports.reserve({
            owner: c.id,
            endpointName: c.name,
            endpointId: first.endpointId,
            containerIp: first.ipAddress,
            portBindings: c.portBindings ?? {},
            exposedPorts: c.exposedPorts ?? {},
            publishAll: !!c.publishAll,
          });
          this.repo.putSandbox(sandbox);
        })(),
      ]);
      if (ns.status === 'fulfilled') {
        netnsPath = sandbox.netnsPath = ns.value;
        this.repo.putSandbox(sandbox);
      }
      if (ns.status === 'rejected') throw ns.reason;
      if (published.status === 'rejected') throw published.reason;
      if (sandbox.ports.length) await this.firewall.addPorts(sandbox.ports);
      for (const l of links.slice(1)) await this.driver.addEndpoint({ ...l, netnsPath });
    } catch (err) {
      await this.teardownContainer(c.id).catch((e: unknown) => this.logger.warn({ err: e }, 'rollback of network setup failed'));
      throw err;
    }
    for (const ep of endpoints) this.emitConnect(ep);
    const settings = this.settingsFor(c.id, c.exposedPorts ?? {});
    return {
      netnsPath,
      settings,
      hostsFile: buildHostsFile({
        hostname: c.hostname,
        address: endpoints[0]!.ipAddress,
        extraHosts: c.extraHosts ?? [],
        hostGateway: this.defaultGateway(),
      }),
      resolvConf: resolv.content,
    };
  }

  /**
   * NetworkSettings of a container that is not running, as Docker shows them: every network it
   * will join at start, with its configured aliases, address and MAC but no live addresses.
   */
  idleSettings(c: Pick<ContainerNetworkRequest, 'networkMode' | 'networks' | 'exposedPorts' | 'macAddress'>): NetworkSettings {
    const settings = this.emptySettings('', '');
    for (const key of Object.keys(c.exposedPorts ?? {})) settings.Ports[key] = null;
    const mode = c.networkMode === 'default' || !c.networkMode ? 'bridge' : c.networkMode;
    if (mode.startsWith('container:')) return settings;
    const entries: [string, EndpointRequest][] = [[mode, {}]];
    for (const [key, req] of Object.entries(c.networks ?? {})) {
      const name = key === 'default' ? mode : key;
      const i = entries.findIndex(([k]) => k === name);
      if (i >= 0) entries[i] = [name, { ...entries[i]![1], ...stripEmpty(req ?? {}) }];
      else entries.push([name, req ?? {}]);
    }
    for (const [key, req] of entries) {
      let n: NetworkDoc | undefined;
      try {
        n = this.find(key);
      } catch {
        continue; // removed since: Docker fails at start, inspect still works
      }
      settings.Networks[n.Name] = {
        ...this.endpointSettings(n, undefined),
        IPAMConfig: compactIpamConfig(req.IPAMConfig),
        Links: req.Links?.length ? req.Links : null,
        DriverOpts: req.DriverOpts && Object.keys(req.DriverOpts).length ? req.DriverOpts : null,
        Aliases: req.Aliases?.length ? req.Aliases : null,
        MacAddress: req.MacAddress || (key === mode ? c.macAddress ?? '' : ''),
      };
    }
    return settings;
  }

  /** Checks that a container may be connected to a network (Docker's checks and messages). */
  checkConnect(networkIdOrName: string, container: { name: string; networkMode: string; networks: string[] }): NetworkDoc {
    const n = this.find(networkIdOrName);
    const mode = container.networkMode === 'default' || !container.networkMode ? 'bridge' : container.networkMode;
    if (mode === 'host' || n.Driver === 'host') {
      throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
    }
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

  /** Resolves a network reference to its document (id, name or unique id prefix). */
  network(idOrName: string): NetworkDoc {
    return this.find(idOrName);
  }

  /** The container's current NetworkSettings (after setup or connect/disconnect). */
  settingsFor(containerId: string, exposedPorts: ExposedPorts = {}): NetworkSettings {
    const sb = this.repo.getSandbox(containerId);
    const settings = this.emptySettings(sb?.netnsPath ?? '', sb?.netnsPath ? containerId : '');
    for (const key of Object.keys(exposedPorts)) settings.Ports[key] = null;
    for (const p of sb?.ports ?? []) {
      const key = `${p.containerPort}/${p.proto}`;
      (settings.Ports[key] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
    }
    for (const ep of this.repo.endpointsOfContainer(containerId)) {
      const n = this.repo.getNetwork(ep.networkId);
      if (!n) continue;
      settings.Networks[n.Name] = this.endpointSettings(n, ep);
      if (this.isDefaultBridge(n)) {
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

  /** Removes the sandbox: ports, endpoints, addresses, namespace. Safe to call twice. */
  async teardownContainer(containerId: string): Promise<void> {
    const sb = this.repo.getSandbox(containerId);
    const endpoints = this.repo.endpointsOfContainer(containerId);
    this.ports.release(containerId);
    const work: Promise<unknown>[] = [];
    if (sb?.ports.length) work.push(this.firewall.removePorts(sb.ports));
    if (sb?.netnsPath && sb.mode !== 'container') {
      // Unmounting the last reference destroys the namespace and with it every veth pair: one
      // process instead of one per endpoint.
      work.push(this.driver.removeNamespace(sb.netnsPath));
    } else {
      for (const ep of endpoints) work.push(this.driver.deleteLink(ep.hostVeth));
    }
    const results = await Promise.allSettled(work);
    this.repo.deleteContainer(containerId);
    for (const ep of endpoints) this.emitDisconnect(ep);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** POST /networks/{id}/connect for a running container (one that has a sandbox). */
  async connect(networkIdOrName: string, containerId: string, req: EndpointRequest = {}): Promise<EndpointSettings> {
    const n = this.find(networkIdOrName);
    const sb = this.repo.getSandbox(containerId);
    if (!sb) throw new ConflictError(`container ${containerId} is not running`);
    if (sb.mode !== 'bridge' || n.Driver !== 'bridge') {
      throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
    }
    const existing = this.repo.endpointsOfContainer(containerId);
    if (existing.some((e) => e.networkId === n.Id)) {
      throw new ForbiddenError(`endpoint with name ${sb.containerName} already exists in network ${n.Name}`);
    }
    const ep = this.allocateEndpoint(n, { id: containerId, name: sb.containerName, hostname: sb.hostname }, req, nextIfIndex(existing));
    try {
      await this.driver.addEndpoint(this.link(ep, sb.netnsPath!, false));
    } catch (err) {
      this.repo.deleteEndpoint(n.Id, containerId);
      this.ipam.release(n.Id, ep.ipAddress);
      throw err;
    }
    this.emitConnect(ep);
    return this.endpointSettings(n, ep);
  }

  /**
   * The resolv.conf of a running container after a live connect or disconnect, as dockerd rewrites
   * it: the embedded DNS server (its first user network's gateway) while it is on a user network,
   * the host's resolvers otherwise. Undefined when berth does not manage the container's DNS here.
   */
  resolvConfFor(c: Pick<ContainerNetworkRequest, 'id' | 'dns' | 'dnsSearch' | 'dnsOptions'>): string | undefined {
    const sb = this.repo.getSandbox(c.id);
    if (!sb || (sb.mode !== 'bridge' && !(sb.mode === 'container' && sb.sharedWith))) return undefined;
    // A container in another's namespace (container:<id>) follows that one's networks.
    const user = this.containerNetworks(sb.sharedWith ?? c.id).find((n) => !this.isDefaultBridge(n));
    const resolv = buildResolvConf({
      host: readHostResolvConf(),
      dns: c.dns ?? [],
      dnsSearch: c.dnsSearch ?? [],
      dnsOptions: c.dnsOptions ?? [],
      embeddedServer: user ? this.addressing(user).gateway : undefined,
    });
    sb.dnsUpstreams = resolv.upstreams;
    this.repo.putSandbox(sb);
    return resolv.content;
  }

  /** The networks a container is connected to, its primary (eth0) first. */
  private containerNetworks(containerId: string): NetworkDoc[] {
    const ifIndex = (e: EndpointRecord) => Number(e.ifName.replace(/^\D+/, '')) || 0;
    return this.repo
      .endpointsOfContainer(containerId)
      .sort((a, b) => ifIndex(a) - ifIndex(b))
      .map((e) => this.repo.getNetwork(e.networkId))
      .filter((n): n is NetworkDoc => !!n);
  }

  /** POST /networks/{id}/disconnect for a running container. */
  async disconnect(networkIdOrName: string, containerId: string, force = false): Promise<void> {
    const n = this.find(networkIdOrName);
    const ep = this.repo.endpointsOfContainer(containerId).find((e) => e.networkId === n.Id);
    if (!ep) {
      if (force) return;
      // dockerd's plain error (500), whatever Force says (see disconnectContainer).
      throw new SystemError(`container ${containerId} is not connected to network ${n.Name}`);
    }
    await this.driver.deleteLink(ep.hostVeth);
    this.repo.deleteEndpoint(n.Id, containerId);
    this.ipam.release(n.Id, ep.ipAddress);
    this.emitDisconnect(ep);
  }

  /**
   * Start-up clean-up: tears down sandboxes of containers that are gone or died while berthd was
   * down, frees their addresses, deletes stray namespace files and veths on berth's bridges, and
   * holds the published ports of the live ones again.
   */
  async reconcile(liveContainerIds: Set<string>): Promise<void> {
    for (const sb of this.repo.allSandboxes()) {
      if (!liveContainerIds.has(sb.containerId)) await this.teardownContainer(sb.containerId).catch((err: unknown) => this.logger.warn({ err }, 'teardown failed'));
      else await this.ports.restore(sb.containerId, sb.ports);
    }
    for (const owner of this.repo.allocationOwners()) {
      if (!liveContainerIds.has(owner)) this.repo.releaseOwner(owner);
    }
    const nsDir = dirname(this.deps.paths.netns('x'));
    const known = new Set([...this.repo.allSandboxes().map((s) => s.netnsPath), ...this.driver.pooledPaths()]);
    for (const f of existsSync(nsDir) ? readdirSync(nsDir) : []) {
      const p = `${nsDir}/${f}`;
      if (!known.has(p)) await this.driver.removeNamespace(p);
    }
    const veths = new Set(this.repo.allEndpoints().map((e) => e.hostVeth));
    for (const n of this.bridgeNetworks()) {
      const dir = `/sys/class/net/${n.BridgeName}/brif`;
      for (const port of existsSync(dir) ? readdirSync(dir) : []) {
        if (!veths.has(port) && port.startsWith('veth')) await this.driver.deleteLink(port);
      }
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private allocateEndpoint(
    n: NetworkDoc,
    c: { id: string; name: string; hostname: string },
    req: EndpointRequest,
    index: number,
  ): EndpointRecord {
    const isDefault = this.isDefaultBridge(n);
    const wantedIp = req.IPAMConfig?.IPv4Address || undefined;
    if (isDefault && req.IPAMConfig?.IPv6Address) throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
    checkEndpointAddresses(n, req.IPAMConfig);
    for (const l of req.Links ?? []) parseLink(l);
    if (isDefault && wantedIp) throw new InvalidArgumentError('user specified IP address is supported on user defined networks only');
    if (isDefault && req.Aliases?.length) {
      throw new InvalidArgumentError('network-scoped alias is supported only for containers in user defined networks');
    }
    const { gateway, subnet } = this.addressing(n);
    const ip = this.ipam.allocate(this.space(n), c.id, wantedIp);
    const endpointId = newId();
    const aliases = req.Aliases ?? [];
    const ep: EndpointRecord = {
      networkId: n.Id,
      containerId: c.id,
      endpointId,
      containerName: c.name,
      dnsNames: isDefault ? [] : unique([c.name, ...aliases, shortId(c.id), c.hostname].filter(Boolean)),
      aliases,
      ipAddress: ip,
      prefixLen: subnet.prefix,
      gateway,
      macAddress: req.MacAddress || macForIPv4(parseIPv4(ip)),
      hostVeth: `veth${endpointId.slice(0, 11)}`,
      ifName: `eth${index}`,
      ...(wantedIp ? { staticIp: wantedIp } : {}),
      ...(compactIpamConfig(req.IPAMConfig) ? { ipamConfig: compactIpamConfig(req.IPAMConfig)! } : {}),
      ...(req.Links?.length ? { links: req.Links } : {}),
      ...(req.DriverOpts && Object.keys(req.DriverOpts).length ? { driverOpts: req.DriverOpts } : {}),
    };
    this.repo.putEndpoint(ep);
    return ep;
  }

  private link(ep: EndpointRecord, netnsPath: string, defaultRoute: boolean): EndpointLink {
    const n = this.repo.getNetwork(ep.networkId)!;
    return {
      netnsPath,
      bridge: n.BridgeName!,
      hostVeth: ep.hostVeth,
      ifName: ep.ifName,
      address: ep.ipAddress,
      prefixLen: ep.prefixLen,
      macAddress: ep.macAddress,
      ...(defaultRoute && !n.Internal ? { gateway: ep.gateway } : {}),
    };
  }

  /**
   * Answers a name for a container asking the server of one network: as Docker's embedded DNS, the
   * names of every user network the asking container is on resolve, the queried network's first.
   */
  private dnsLookup(networkId: string, name: string, clientIp?: string): string[] | undefined {
    const here = this.lookupInNetwork(networkId, name, clientIp);
    if (here || !clientIp) return here;
    const client = this.repo.endpointsOfNetwork(networkId).find((e) => e.ipAddress === clientIp);
    if (!client) return undefined;
    for (const n of this.containerNetworks(client.containerId)) {
      if (n.Id === networkId || this.isDefaultBridge(n)) continue;
      const own = this.repo.endpointsOfContainer(client.containerId).find((e) => e.networkId === n.Id);
      const found = this.lookupInNetwork(n.Id, name, own?.ipAddress);
      if (found) return found;
    }
    return undefined;
  }

  private lookupInNetwork(networkId: string, name: string, clientIp?: string): string[] | undefined {
    const n = this.repo.getNetwork(networkId);
    if (!n) return undefined;
    const suffix = `.${n.Name.toLowerCase()}`;
    let bare = name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
    const endpoints = this.repo.endpointsOfNetwork(networkId);
    // EndpointSettings.Links: the asking container's link alias stands for the linked name.
    const client = clientIp ? endpoints.find((e) => e.ipAddress === clientIp) : undefined;
    const link = (client?.links ?? []).map(parseLink).find((l) => l.alias.toLowerCase() === bare);
    if (link) bare = link.name.toLowerCase();
    const ips = endpoints
      .filter((e) => e.dnsNames.some((d) => d.toLowerCase() === bare))
      .map((e) => e.ipAddress);
    return ips.length ? ips : undefined;
  }

  private dnsUpstreams(networkId: string, clientIp: string): string[] {
    const n = this.repo.getNetwork(networkId);
    if (!n || n.Internal) return [];
    const ep = this.repo.endpointsOfNetwork(networkId).find((e) => e.ipAddress === clientIp);
    const sb = ep && this.repo.getSandbox(ep.containerId);
    return sb?.dnsUpstreams.length ? sb.dnsUpstreams : readHostResolvConf().nameservers;
  }

  private async listenDns(n: NetworkDoc): Promise<void> {
    try {
      await this.dns.listen(n.Id, this.addressing(n).gateway);
    } catch (err) {
      // Another resolver on the host holds port 53 on all addresses: containers still get
      // the gateway as nameserver, so say why names will not resolve.
      this.logger.warn({ err, network: n.Name }, 'embedded DNS server unavailable on this network');
    }
  }

  private ensureDefaultBridge(existing: NetworkDoc | undefined): void {
    const cfg = this.deps.config;
    const bip = parseAddressWithPrefix(cfg.bip);
    let subnet = bip.subnet;
    let gateway = formatIPv4(bip.address === bip.subnet.base ? bip.subnet.base + 1 : bip.address);
    const others = this.bridgeNetworks()
      .filter((n) => !this.isDefaultBridge(n))
      .map((n) => this.addressing(n).subnet);
    const ownDevices = [...this.bridgeDevices(), cfg.bridge];
    try {
      const picked = this.ipam.pickSubnet([{ base: formatSubnet(subnet), size: subnet.prefix }], others, ownDevices);
      subnet = picked;
    } catch {
      // bip is routed elsewhere already (docker0 has 172.17/16): next free pool, as dockerd does
      subnet = this.ipam.pickSubnet(cfg['default-address-pools'], others, ownDevices);
      gateway = formatIPv4(subnet.base + 1);
    }
    const ipamConfig = [{ Subnet: formatSubnet(subnet), Gateway: gateway }];
    const doc =
      existing ??
      this.newDoc(
        'bridge',
        'bridge',
        ipamConfig,
        {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.enable_icc': 'true',
          'com.docker.network.bridge.enable_ip_masquerade': 'true',
          'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
          'com.docker.network.bridge.name': cfg.bridge,
          'com.docker.network.driver.mtu': '1500',
        },
        {},
        false,
      );
    const changed = existing && (existing.IPAM.Config[0]?.Subnet !== ipamConfig[0]!.Subnet || existing.BridgeName !== cfg.bridge);
    if (changed && this.repo.endpointsOfNetwork(existing.Id).length === 0) {
      this.repo.deleteNetwork(existing.Id);
      doc.IPAM.Config = ipamConfig;
    }
    doc.BridgeName = cfg.bridge;
    doc.Options['com.docker.network.bridge.name'] = cfg.bridge;
    this.repo.putNetwork(doc);
    this.ipam.reserve(this.space(doc), this.addressing(doc).gateway, 'gateway');
  }

  private newDoc(
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

  private find(idOrName: string): NetworkDoc {
    const all = this.repo.listNetworks();
    const hit =
      all.find((n) => n.Id === idOrName) ??
      all.find((n) => n.Name === idOrName) ??
      (() => {
        const byPrefix = all.filter((n) => idOrName.length > 0 && n.Id.startsWith(idOrName));
        if (byPrefix.length > 1) throw new InvalidArgumentError(`network ${idOrName} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
        return byPrefix[0];
      })();
    if (!hit) throw new NotFoundError(`network ${idOrName} not found`);
    return hit;
  }

  private bridgeNetworks(): NetworkDoc[] {
    return this.repo.listNetworks().filter((n) => n.Driver === 'bridge' && n.BridgeName);
  }

  private bridgeDevices(): string[] {
    return this.bridgeNetworks().map((n) => n.BridgeName!);
  }

  private isDefaultBridge(n: NetworkDoc | undefined): boolean {
    return n?.Name === 'bridge';
  }

  private defaultGateway(): string | undefined {
    const n = this.repo.listNetworks().find((x) => x.Name === 'bridge');
    return n ? this.addressing(n).gateway : undefined;
  }

  private addressing(n: NetworkDoc): { gateway: string; subnet: ReturnType<typeof parseSubnet> } {
    const c = n.IPAM.Config[0];
    if (!c?.Subnet) throw new SystemError(`network ${n.Name} has no IPv4 subnet`);
    const subnet = parseSubnet(c.Subnet);
    return { subnet, gateway: c.Gateway ?? formatIPv4(subnet.base + 1) };
  }

  private space(n: NetworkDoc): AddressSpace {
    const c = n.IPAM.Config[0];
    return { networkId: n.Id, subnet: this.addressing(n).subnet, ...(c?.IPRange ? { ipRange: parseSubnet(c.IPRange) } : {}) };
  }

  private firewallNetwork(n: NetworkDoc): FirewallNetwork {
    return {
      bridge: n.BridgeName!,
      subnet: this.addressing(n).subnet ? formatSubnet(this.addressing(n).subnet) : '',
      internal: n.Internal,
      icc: n.Options['com.docker.network.bridge.enable_icc'] !== 'false',
    };
  }

  private toInspect(n: NetworkDoc, withContainers: boolean): NetworkInspect {
    const { BridgeName: _bridge, ...doc } = n;
    const containers: NetworkInspect['Containers'] = {};
    if (withContainers) {
      for (const ep of this.repo.endpointsOfNetwork(n.Id)) {
        containers[ep.containerId] = {
          Name: ep.containerName,
          EndpointID: ep.endpointId,
          MacAddress: ep.macAddress,
          IPv4Address: `${ep.ipAddress}/${ep.prefixLen}`,
          IPv6Address: '',
        };
      }
    }
    return { ...doc, Containers: containers };
  }

  private matches(n: NetworkDoc, f: Record<string, string[]>): boolean {
    const builtin = PREDEFINED.includes(n.Name);
    if (f.driver?.length && !f.driver.includes(n.Driver)) return false;
    if (f.id?.length && !f.id.some((id) => n.Id.startsWith(id))) return false;
    if (f.name?.length && !f.name.some((x) => n.Name.includes(x))) return false;
    if (f.scope?.length && !f.scope.includes('local')) return false;
    if (f.type?.length && !f.type.includes(builtin ? 'builtin' : 'custom')) return false;
    if (f.dangling?.length) {
      const dangling = !builtin && this.repo.endpointsOfNetwork(n.Id).length === 0;
      if (f.dangling.some((d) => (d === 'true' || d === '1') !== dangling)) return false;
    }
    return this.matchesLabels(n, f);
  }

  private matchesLabels(n: NetworkDoc, f: Record<string, string[]>): boolean {
    const has = (l: string) => {
      const [k, v] = l.split('=', 2) as [string, string | undefined];
      return k in n.Labels && (v === undefined || n.Labels[k] === v);
    };
    if (f.label?.length && !f.label.every(has)) return false;
    if (f['label!']?.length && f['label!'].some(has)) return false;
    return true;
  }

  private emptySettings(sandboxKey: string, sandboxId: string): NetworkSettings {
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

  private endpointSettings(n: NetworkDoc, ep: EndpointRecord | undefined): EndpointSettings {
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

  private emitConnect(ep: EndpointRecord): void {
    const n = this.repo.getNetwork(ep.networkId);
    this.deps.events.emit({
      Type: 'network',
      Action: 'connect',
      Actor: { ID: ep.networkId, Attributes: { container: ep.containerId, name: n?.Name ?? '', type: 'bridge' } },
    });
  }

  private emitDisconnect(ep: EndpointRecord): void {
    const n = this.repo.getNetwork(ep.networkId);
    this.deps.events.emit({
      Type: 'network',
      Action: 'disconnect',
      Actor: { ID: ep.networkId, Attributes: { container: ep.containerId, name: n?.Name ?? '', type: 'bridge' } },
    });
  }
}

/** `berth` for the standard bridge berth0; otherwise the bridge's name (at most 15 characters). */
export function firewallNameFor(bridge: string): string {
  return bridge === 'berth0' ? 'berth' : bridge.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** An endpoint request without empty fields, so it does not override what an earlier one set. */
function stripEmpty(req: EndpointRequest): EndpointRequest {
  const out: EndpointRequest = {};
  if (req.Aliases?.length) out.Aliases = req.Aliases;
  if (compactIpamConfig(req.IPAMConfig)) out.IPAMConfig = req.IPAMConfig;
  if (req.MacAddress) out.MacAddress = req.MacAddress;
  if (req.Links?.length) out.Links = req.Links;
  if (req.DriverOpts && Object.keys(req.DriverOpts).length) out.DriverOpts = req.DriverOpts;
  return out;
}

/** Docker's EndpointIPAMConfig: empty fields left out, null when nothing is set. */
function compactIpamConfig(c: EndpointIPAMConfig | null | undefined): EndpointIPAMConfig | null {
  if (!c) return null;
  const out: EndpointIPAMConfig = {
    ...(c.IPv4Address ? { IPv4Address: c.IPv4Address } : {}),
    ...(c.IPv6Address ? { IPv6Address: c.IPv6Address } : {}),
    ...(c.LinkLocalIPs?.length ? { LinkLocalIPs: c.LinkLocalIPs } : {}),
  };
  return Object.keys(out).length ? out : null;
}

/** Checks the IPv6 and link-local addresses of an endpoint config as dockerd does. */
function checkEndpointAddresses(n: NetworkDoc, c: EndpointIPAMConfig | null | undefined): void {
  const errs: string[] = [];
  if (c?.IPv6Address) {
    if (!isIPv6(c.IPv6Address) || parseIPv6(c.IPv6Address) === 0n) errs.push(`invalid IPv6 address: ${c.IPv6Address}`);
    else {
      const addr = parseIPv6(c.IPv6Address);
      const pools = n.IPAM.Config.filter(isIPv6Config).map((x) => parseSubnet6(x.Subnet!));
      if (!pools.some((p) => subnet6Contains(p, addr))) errs.push(`no configured subnet contains IP address ${c.IPv6Address}`);
    }
  }
  for (const ll of c?.LinkLocalIPs ?? []) {
    if (!(isIPv4(ll) && ll !== '0.0.0.0') && !(isIPv6(ll) && parseIPv6(ll) !== 0n)) errs.push(`invalid link-local IP address: ${ll}`);
  }
  if (errs.length) throw new InvalidArgumentError(`invalid endpoint settings:\n${errs.join('\n')}`);
}

/** Docker's ParseLink: "name:alias", "name" (alias = name), or inspect's "/name:/parent/alias". */
export function parseLink(link: string): { name: string; alias: string } {
  const parts = link.split(':');
  if (!link || parts.length > 2) throw new InvalidArgumentError(link ? `bad format for links: ${link}` : 'empty string specified for links');
  if (parts.length === 1) return { name: link, alias: link };
  if (parts[0]!.startsWith('/')) return { name: parts[0]!.slice(1), alias: parts[1]!.split('/').pop()! };
  return { name: parts[0]!, alias: parts[1]! };
}

function isIPv6Config(c: IPAMConfigEntry): boolean {
  return !!(c.Subnet?.includes(':') || (!c.Subnet && c.Gateway?.includes(':')));
}

/**
 * An IPv6 pool of IPAM.Config as dockerd reports it (subnet normalised, gateway defaulting to the
 * first address). Kept and shown only: berth puts no IPv6 addresses on its bridges or veths.
 */
function ipv6ConfigEntry(c: IPAMConfigEntry): IPAMConfigEntry {
  if (!c.Subnet) throw new InvalidArgumentError('an IPv6 IPAM config needs a subnet');
  const subnet = parseSubnet6(c.Subnet);
  const gateway = c.Gateway ?? formatIPv6(subnet.base + 1n);
  if (!subnet6Contains(subnet, parseIPv6(gateway))) throw new InvalidArgumentError(`no matching subnet for gateway ${gateway}`);
  if (c.IPRange && !subnet6Contains(subnet, parseSubnet6(c.IPRange).base)) {
    throw new InvalidArgumentError(`no matching subnet for range ${c.IPRange}`);
  }
  return {
    Subnet: formatSubnet6(subnet),
    ...(c.IPRange ? { IPRange: c.IPRange } : {}),
    Gateway: gateway,
    ...(c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length ? { AuxiliaryAddresses: c.AuxiliaryAddresses } : {}),
  };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function nextIfIndex(existing: EndpointRecord[]): number {
  const used = new Set(existing.map((e) => Number(e.ifName.replace('eth', ''))));
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

function untilTime(u: string): number {
  if (/^\d+(\.\d+)?$/.test(u)) return Number(u) * 1000;
  const m = /^(\d+)(s|m|h)$/.exec(u);
  if (m) return Date.now() - Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  return Date.parse(u);
}

