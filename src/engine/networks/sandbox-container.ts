import { ConflictError } from '../../common/errors.js';
import { buildHostsFile, buildResolvConf } from './container-files.js';
import { isDefaultBridge } from './network-addressing.js';
import type { NetworkContext } from './network-context.js';
import type { ContainerNetworkRequest, ContainerNetworkSetup } from './network-models.js';
import { emptySettings } from './network-views.js';
import { dnsRequest, sandboxKindOf, type SandboxEnv } from './sandbox-modes.js';

/**
 * --network container:<id>: the other container's namespace (it must be running), its address in
 * hosts, and its embedded DNS server when it is on a user network. No networks of its own.
 */
export async function containerSandbox(ctx: NetworkContext, c: ContainerNetworkRequest, env: SandboxEnv): Promise<ContainerNetworkSetup> {
  const otherId = sandboxKindOf(c.networkMode).target;
  const other = ctx.repo.getSandbox(otherId);
  if (!other || (!other.netnsPath && other.mode !== 'host')) {
    throw new ConflictError(`cannot join network namespace of a non running container: ${otherId}`);
  }
  ctx.repo.putSandbox({
    containerId: c.id,
    containerName: c.name,
    mode: 'container',
    sharedWith: otherId,
    ports: [],
    dnsUpstreams: other.dnsUpstreams,
    hostname: c.hostname,
  });
  const eps = ctx.repo.endpointsOfContainer(otherId);
  const resolv = buildResolvConf({
    host: env.hostResolv,
    ...dnsRequest(c),
    embeddedServer: eps.find((e) => !isDefaultBridge(ctx.repo.getNetwork(e.networkId)))?.gateway,
  });
  return {
    netnsPath: other.netnsPath,
    settings: emptySettings(other.netnsPath ?? '', ''),
    hostsFile: buildHostsFile({ hostname: c.hostname, address: eps[0]?.ipAddress, extraHosts: c.extraHosts ?? [] }),
    resolvConf: resolv.content,
  };
}
