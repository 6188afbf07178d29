import { buildHostsFile, buildResolvConf } from './container-files.js';
import type { NetworkContext } from './network-context.js';
import type { ContainerNetworkRequest, ContainerNetworkSetup } from './network-models.js';
import { emptySettings, endpointSettings } from './network-views.js';
import { dnsRequest, type SandboxEnv } from './sandbox-modes.js';

/** --network none: a namespace of its own with loopback only. */
export async function noneSandbox(ctx: NetworkContext, c: ContainerNetworkRequest, env: SandboxEnv): Promise<ContainerNetworkSetup> {
  // An unrecorded namespace file (crash right here) is removed by reconcile as a stray.
  const netnsPath = await ctx.driver.createNamespace();
  ctx.repo.putSandbox({ containerId: c.id, containerName: c.name, mode: 'none', netnsPath, ports: [], dnsUpstreams: [], hostname: c.hostname });
  const settings = emptySettings(netnsPath, c.id);
  settings.Networks.none = endpointSettings(ctx.catalog.find('none'), undefined);
  return {
    netnsPath,
    settings,
    hostsFile: buildHostsFile({ hostname: c.hostname, extraHosts: c.extraHosts ?? [] }),
    resolvConf: buildResolvConf({ host: env.hostResolv, ...dnsRequest(c) }).content,
  };
}
