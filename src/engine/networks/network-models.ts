import type { EndpointIPAMConfig, IPAMConfigEntry } from './network-types.js';
import type { ExposedPorts, PortBindings } from './port-publisher.js';
import type { NetworkSettings } from '../../common/docker-types/network-settings.js';

export type { EndpointSettings, NetworkSettings } from '../../common/docker-types/network-settings.js';

// The shapes the network service takes and gives: Docker's field names where Docker has them.

/** What the network service takes of the daemon's configuration (dockerd's key names). */
export interface NetworkServiceConfig {
  bridge: string;
  bip: string;
  'default-address-pools': { base: string; size: number }[];
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

/** The networks Docker predefines: never created, removed or pruned by a user. */
export const PREDEFINED_NETWORKS = ['bridge', 'host', 'none'];
