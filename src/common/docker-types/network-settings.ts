import type { PublishedPortMap } from './container-config.js';

// Docker's network.EndpointSettings and container.NetworkSettings (moby api/types/network,
// api/types/container) in full, every field as dockerd fills it in: what inspect shows, and what the
// docker CLI sends for each network of a create. A request or a record holds a Partial of them.

/** network.EndpointIPAMConfig: the addresses a container asks for on one network. */
export type EndpointIPAMConfig = { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null };

/** network.EndpointSettings: a container's place on one network (NetworkSettings.Networks[name]). */
export type EndpointSettings = {
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
};

/** container.NetworkSettings of a container, as inspect shows it. */
export type NetworkSettings = {
  Bridge: string;
  SandboxID: string;
  SandboxKey: string;
  HairpinMode: boolean;
  LinkLocalIPv6Address: string;
  LinkLocalIPv6PrefixLen: number;
  Ports: PublishedPortMap;
  /** Deprecated in Docker and always null. */
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
};
