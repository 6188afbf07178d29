import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import type { Logger } from '../../common/logger.js';
import { runCommand } from './host-command.js';

/** One container interface to create on a bridge. */
export interface EndpointLink {
  netnsPath: string;
  bridge: string;
  /** Host side of the veth pair (at most 15 characters). */
  hostVeth: string;
  /** Name inside the container: eth0, eth1, ... */
  ifName: string;
  address: string;
  prefixLen: number;
  macAddress: string;
  /** Set the default route through this gateway (the container's first network only). */
  gateway?: string;
}

/**
 * Linux bridges and veth pairs. Each container endpoint costs two `ip -batch` processes: one run
 * inside the container's namespace creates the veth pair (its peer straight into berthd's
 * namespace), addresses it and sets the route; one in the host namespace puts the peer on the bridge.
 */
export class BridgeDriver {
  constructor(private readonly logger: Logger) {}

  /** Creates the bridge when missing, with the gateway address, up; enables forwarding. */
  async ensureBridge(name: string, gateway: string, prefixLen: number): Promise<void> {
    const cmds = existsSync(`/sys/class/net/${name}`)
      ? [`addr replace ${gateway}/${prefixLen} broadcast + dev ${name}`, `link set ${name} up`]
      : [`link add ${name} type bridge`, `addr add ${gateway}/${prefixLen} broadcast + dev ${name}`, `link set ${name} up`];
    await runCommand('ip', ['-batch', '-'], cmds.join('\n') + '\n');
    // route_localnet lets 127.0.0.1:<published> be DNATed out of this bridge.
    await Promise.all([
      writeProc(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1'),
      writeProc('/proc/sys/net/ipv4/ip_forward', '1'),
    ]);
    this.logger.debug({ bridge: name, gateway }, 'bridge ready');
  }

  async deleteBridge(name: string): Promise<void> {
    if (!existsSync(`/sys/class/net/${name}`)) return;
    await runCommand('ip', ['link', 'del', name]);
  }

  /**
   * Creates the namespace file at netnsPath (a bind mount of a new network namespace, like
   * `ip netns add` does under /run/netns) and brings its loopback up. Optionally adds a first
   * endpoint in the same process.
   */
  async createNamespace(netnsPath: string, first?: EndpointLink): Promise<void> {
    await writeFile(netnsPath, '', { flag: 'w' });
    const cmds = ['link set lo up', ...(first ? this.insideCommands(first) : [])];
    try {
      await runCommand('unshare', [`--net=${netnsPath}`, 'ip', '-batch', '-'], cmds.join('\n') + '\n');
      if (first) await this.attachHostSide(first);
    } catch (err) {
      if (first) await this.deleteLink(first.hostVeth);
      await this.removeNamespace(netnsPath);
      throw err;
    }
  }

  /** Adds an endpoint to an existing namespace (network connect, or a second network). */
  async addEndpoint(link: EndpointLink): Promise<void> {
    try {
      await runCommand('nsenter', [`--net=${link.netnsPath}`, 'ip', '-batch', '-'], this.insideCommands(link).join('\n') + '\n');
      await this.attachHostSide(link);
    } catch (err) {
      await this.deleteLink(link.hostVeth);
      throw err;
    }
  }

  /** Removes an endpoint; deleting one end of a veth pair deletes both. Missing links are fine. */
  async deleteLink(hostVeth: string): Promise<void> {
    if (!existsSync(`/sys/class/net/${hostVeth}`)) return;
    await runCommand('ip', ['link', 'del', hostVeth]).catch((err: Error) => {
      if (existsSync(`/sys/class/net/${hostVeth}`)) throw err;
    });
  }

  /** Unmounts and deletes the namespace file; missing ones are fine. */
  async removeNamespace(netnsPath: string): Promise<void> {
    await runCommand('umount', [netnsPath]).catch(() => {});
    await rm(netnsPath, { force: true });
  }

  private insideCommands(l: EndpointLink): string[] {
    const cmds = [
      `link add ${l.ifName} address ${l.macAddress} type veth peer name ${l.hostVeth} netns /proc/${process.pid}/ns/net`,
      `addr add ${l.address}/${l.prefixLen} broadcast + dev ${l.ifName}`,
      `link set ${l.ifName} up`,
    ];
    if (l.gateway) cmds.push(`route add default via ${l.gateway} dev ${l.ifName}`);
    return cmds;
  }

  private async attachHostSide(l: EndpointLink): Promise<void> {
    await runCommand('ip', ['link', 'set', l.hostVeth, 'master', l.bridge, 'up']);
    // Hairpin lets a frame go back out of the port it came in on (container → published port → itself).
    await writeProc(`/sys/class/net/${l.hostVeth}/brport/hairpin_mode`, '1');
  }
}

async function writeProc(file: string, value: string): Promise<void> {
  await writeFile(file, value);
}
