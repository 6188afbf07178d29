import { existsSync, readdirSync } from 'node:fs';
import { emitEndpointEvent, type NetworkContext } from './network-context.js';

/** Removes the sandbox: ports, endpoints, addresses, namespace. Safe to call twice. */
export async function teardownSandbox(ctx: NetworkContext, containerId: string): Promise<void> {
  const sb = ctx.repo.getSandbox(containerId);
  const endpoints = ctx.repo.endpointsOfContainer(containerId);
  ctx.ports.release(containerId);
  const work: Promise<unknown>[] = [];
  if (sb?.ports.length) work.push(ctx.firewall.removePorts(sb.ports));
  if (sb?.netnsPath && sb.mode !== 'container') {
    // Unmounting the last reference destroys the namespace and with it every veth pair: one
    // process instead of one per endpoint.
    work.push(ctx.driver.removeNamespace(sb.netnsPath));
  } else {
    for (const ep of endpoints) work.push(ctx.driver.deleteLink(ep.hostVeth));
  }
  const results = await Promise.allSettled(work);
  ctx.repo.deleteContainer(containerId);
  for (const ep of endpoints) emitEndpointEvent(ctx, 'disconnect', ep);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Start-up clean-up: tears down sandboxes of containers that are gone or died while berthd was
 * down, frees their addresses, deletes stray namespace files and veths on berth's bridges, and
 * holds the published ports of the live ones again.
 */
export async function reconcileSandboxes(ctx: NetworkContext, liveContainerIds: Set<string>, nsDir: string): Promise<void> {
  for (const sb of ctx.repo.allSandboxes()) {
    if (!liveContainerIds.has(sb.containerId)) await teardownSandbox(ctx, sb.containerId).catch((err: unknown) => ctx.logger.warn({ err }, 'teardown failed'));
    else await ctx.ports.restore(sb.containerId, sb.ports);
  }
  for (const owner of ctx.repo.allocationOwners()) {
    if (!liveContainerIds.has(owner)) ctx.repo.releaseOwner(owner);
  }
  const known = new Set([...ctx.repo.allSandboxes().map((s) => s.netnsPath), ...ctx.driver.pooledPaths()]);
  for (const f of existsSync(nsDir) ? readdirSync(nsDir) : []) {
    const p = `${nsDir}/${f}`;
    if (!known.has(p)) await ctx.driver.removeNamespace(p);
  }
  const veths = new Set(ctx.repo.allEndpoints().map((e) => e.hostVeth));
  for (const n of ctx.catalog.bridgeNetworks()) {
    const dir = `/sys/class/net/${n.BridgeName}/brif`;
    for (const port of existsSync(dir) ? readdirSync(dir) : []) {
      if (!veths.has(port) && port.startsWith('veth')) await ctx.driver.deleteLink(port);
    }
  }
}
