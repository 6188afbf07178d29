import { buildHostsFile, buildResolvConf } from './container-files.js';
import type { NetworkContext } from './network-context.js';
import type { ContainerNetworkRequest, ContainerNetworkSetup } from './network-models.js';
import { emptySettings, endpointSettings } from './network-views.js';
import { dnsRequest, type SandboxEnv } from './sandbox-modes.js';

/**
 * --network host: no namespace of its own; the host's hosts and resolv.conf, with --add-host lines
 * added and --dns given precedence, as Docker does. Published ports are discarded.
 */
export async function hostSandbox(ctx: NetworkContext, c: ContainerNetworkRequest, env: SandboxEnv): Promise<ContainerNetworkSetup> {
  const net = ctx.catalog.find('host');
  if (c.portBindings && Object.keys(c.portBindings).length) {
    ctx.logger.warn({ container: c.id }, 'published ports are discarded when using host network mode');
  }
  ctx.repo.putSandbox({ containerId: c.id, containerName: c.name, mode: 'host', ports: [], dnsUpstreams: [], hostname: c.hostname });
  const settings = emptySettings('', '');
  settings.Networks.host = endpointSettings(net, undefined);
  return { settings, hostsFile: hostHostsFile(c, env), resolvConf: hostResolvConf(c, env) };
}

function hostHostsFile(c: ContainerNetworkRequest, env: SandboxEnv): string {
  let hosts = '';
  try {
    hosts = env.readHostFile('/etc/hosts');
  } catch {
    hosts = buildHostsFile({ hostname: c.hostname, extraHosts: [] });
  }
  // Only the --add-host lines of a built file: the six standard ones are the host's own already.
  const extra = buildHostsFile({ hostname: c.hostname, extraHosts: c.extraHosts ?? [] }).split('\n').slice(6).join('\n');
  return hosts + (extra.trim() ? extra : '');
}

function hostResolvConf(c: ContainerNetworkRequest, env: SandboxEnv): string {
  const dns = dnsRequest(c);
  const built = () => buildResolvConf({ host: env.hostResolv, ...dns }).content;
  if (dns.dns.length || dns.dnsSearch.length || dns.dnsOptions.length) return built();
  try {
    return env.readHostFile('/etc/resolv.conf');
  } catch {
    return built();
  }
}
