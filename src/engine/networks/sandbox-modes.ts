import type { HostResolvConf } from './container-files.js';
import type { NetworkContext } from './network-context.js';
import type { ContainerNetworkRequest, ContainerNetworkSetup } from './network-models.js';
import { primaryMode } from './network-views.js';

// HostConfig.NetworkMode decides what kind of sandbox a container gets; each kind is one module.

/** bridge: the default bridge; network: a user network named by the mode (both bridge-driver sandboxes). */
export type SandboxKind = 'host' | 'none' | 'container' | 'bridge' | 'network';

/** What a sandbox is asked to build besides the request: the host's resolvers, and how to read host files. */
export interface SandboxEnv {
  hostResolv: HostResolvConf;
  /** Reads a file of the host (/etc/hosts, /etc/resolv.conf); throws when it is not there. */
  readHostFile(path: string): string;
  /** Undoes a half-made sandbox. */
  teardown(containerId: string): Promise<void>;
}

/** One network mode's sandbox: records it, makes what the host needs, and answers the container's files. */
export type SandboxSetup = (ctx: NetworkContext, c: ContainerNetworkRequest, env: SandboxEnv) => Promise<ContainerNetworkSetup>;

/** The kind of sandbox for a NetworkMode, and what it names: the network, or the container to join. */
export function sandboxKindOf(networkMode: string | undefined): { kind: SandboxKind; target: string } {
  const mode = primaryMode(networkMode);
  if (mode === 'host' || mode === 'none' || mode === 'bridge') return { kind: mode, target: mode };
  if (mode.startsWith('container:')) return { kind: 'container', target: mode.slice('container:'.length) };
  return { kind: 'network', target: mode };
}

/** The --dns, --dns-search and --dns-option of a request, empty lists when not given. */
export function dnsRequest(c: Pick<ContainerNetworkRequest, 'dns' | 'dnsSearch' | 'dnsOptions'>): { dns: string[]; dnsSearch: string[]; dnsOptions: string[] } {
  return { dns: c.dns ?? [], dnsSearch: c.dnsSearch ?? [], dnsOptions: c.dnsOptions ?? [] };
}
