// Docker's network shapes (GET /networks) and the records berth keeps per endpoint and sandbox.

export interface IPAMConfigEntry {
  Subnet?: string;
  Gateway?: string;
  IPRange?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** A network as stored: Docker's inspect document without the computed Containers field. */
export interface NetworkDoc {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IPAMConfigEntry[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** berth: the bridge device of a bridge network. */
  BridgeName?: string;
}

export interface NetworkInspect extends Omit<NetworkDoc, 'BridgeName'> {
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
}

/** EndpointSettings.IPAMConfig: the addresses asked for (only IPv4Address is put on the interface). */
export interface EndpointIPAMConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
}

/** One container attached to one network. */
export interface EndpointRecord {
  networkId: string;
  containerId: string;
  endpointId: string;
  containerName: string;
  /** Names the embedded DNS server answers for: container name, aliases, hostname, short id. */
  dnsNames: string[];
  aliases: string[];
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  /** Host side of the veth pair. */
  hostVeth: string;
  /** Interface name inside the container (eth0, eth1, ...). */
  ifName: string;
  staticIp?: string;
  /** IPAMConfig as configured (IPv6 and link-local addresses are kept and reported, not configured). */
  ipamConfig?: EndpointIPAMConfig;
  /** EndpointSettings.Links ("name:alias"), resolved by the embedded DNS server for this endpoint. */
  links?: string[];
  driverOpts?: Record<string, string>;
}

/** A published port as programmed: host side (ip may be '' for all addresses) → container side. */
export interface PortMapping {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

/** A container's network sandbox: its namespace and what was set up for it. */
export interface SandboxRecord {
  containerId: string;
  containerName: string;
  mode: 'bridge' | 'host' | 'none' | 'container';
  /** The namespace file, when berth created one. */
  netnsPath?: string;
  /** For container:<id> mode, the container whose namespace is shared. */
  sharedWith?: string;
  ports: PortMapping[];
  /** Upstream resolvers for the embedded DNS server (the container's --dns or the host's). */
  dnsUpstreams: string[];
  hostname: string;
}
