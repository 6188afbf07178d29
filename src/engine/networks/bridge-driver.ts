import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { BatchWorker, IP_DIALECT } from './batch-worker.js';
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
 * Linux bridges, namespaces and veth pairs, without a process start on the hot path:
 * - a long-lived `ip -batch` worker in berthd's namespace creates each veth pair already on its
 *   bridge and up, with the container end sent straight into the container's namespace;
 * - container namespaces are made ahead of time: each pooled one is a waiting
 *   `unshare --net=<file> ip -batch -` that addresses the container end and sets the route when
 *   asked, then exits. The file stays (a bind mount) until teardown unmounts it.
 */
export class BridgeDriver {
  private readonly hostIp: BatchWorker;
  private readonly pool: PooledNamespace[] = [];
  private closed = false;

  constructor(
    private readonly logger: Logger,
    /** Directory of the namespace files. */
    private readonly netnsDir: string,
    private readonly poolSize = 2,
  ) {
    this.hostIp = new BatchWorker(IP_DIALECT, logger, undefined, HOST_IP_RECYCLE);
  }

  /** Creates the bridge when missing, with the gateway address, up; enables forwarding. */
  async ensureBridge(name: string, gateway: string, prefixLen: number): Promise<void> {
    let cmds: string[];
    if (existsSync(`/sys/class/net/${name}`)) {
      // An address left from an earlier configuration (another bip) would shadow a network
      // that is later given that subnet: keep only the one wanted now.
      const current = (await runCommand('ip', ['-4', '-o', 'addr', 'show', 'dev', name]))
        .split('\n')
        .map((l) => /\binet (\S+)/.exec(l)?.[1])
        .filter((a): a is string => !!a && a !== `${gateway}/${prefixLen}`);
      cmds = [
        ...current.map((a) => `addr del ${a} dev ${name}`),
        `addr replace ${gateway}/${prefixLen} broadcast + dev ${name}`,
        `link set ${name} up`,
      ];
    } else {
      cmds = [`link add ${name} type bridge`, `addr add ${gateway}/${prefixLen} broadcast + dev ${name}`, `link set ${name} up`];
    }
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
    // ip caches interface indexes by name: a bridge made again under this name must not be mistaken.
    this.hostIp.close();
  }

  /** Namespace files the pool holds (reconcile must not take them for strays). */
  pooledPaths(): string[] {
    return this.pool.map((p) => p.path);
  }

  /**
   * Gives a new namespace (loopback up) with its first endpoint, if any, and returns its file.
   * Other endpoints are added with addEndpoint.
   */
  async createNamespace(first?: Omit<EndpointLink, 'netnsPath'>): Promise<string> {
    const ns = await this.takeNamespace();
    try {
      if (first) {
        // By the pid of the ip waiting inside: a path would leave the worker holding the file open
        // (ip never closes that descriptor), and the namespace could not be unmounted.
        await this.hostIp.run([this.vethCommand(first, String(ns.ip.pid()))]);
        await ns.ip.run(this.insideCommands(first));
        await writeProc(`/sys/class/net/${first.hostVeth}/brport/hairpin_mode`, '1');
      }
      ns.ip.close();
      return ns.path;
    } catch (err) {
      ns.ip.close();
      if (first) await this.deleteLink(first.hostVeth).catch(() => {});
      await this.removeNamespace(ns.path);
      throw err;
    }
  }

  /** Adds an endpoint to an existing namespace (network connect, or a second network). */
  async addEndpoint(link: EndpointLink): Promise<void> {
    try {
      // Made from inside (the peer sent to berthd's namespace), for the reason given in createNamespace.
      const inside = [
        `link add ${link.ifName} address ${link.macAddress} type veth peer name ${link.hostVeth} netns /proc/${process.pid}/ns/net`,
        ...this.insideCommands(link),
      ];
      await runCommand('nsenter', [`--net=${link.netnsPath}`, 'ip', '-batch', '-'], inside.join('\n') + '\n');
      await this.hostIp.run([`link set ${link.hostVeth} master ${link.bridge} up`]);
      await writeProc(`/sys/class/net/${link.hostVeth}/brport/hairpin_mode`, '1');
    } catch (err) {
      await this.deleteLink(link.hostVeth);
      throw err;
    }
  }

  /** Removes an endpoint; deleting one end of a veth pair deletes both. Missing links are fine. */
  async deleteLink(hostVeth: string): Promise<void> {
    if (!existsSync(`/sys/class/net/${hostVeth}`)) return;
    await this.hostIp.run([`link del ${hostVeth}`]).catch((err: Error) => {
      if (existsSync(`/sys/class/net/${hostVeth}`)) throw err;
    });
  }

  /** Unmounts and deletes the namespace file; missing ones are fine. */
  async removeNamespace(netnsPath: string): Promise<void> {
    await runCommand('umount', [netnsPath]).catch(() => {});
    await rm(netnsPath, { force: true });
  }

  /** Ends the workers and removes the pooled namespaces (berthd shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.hostIp.close();
    const pooled = this.pool.splice(0);
    for (const ns of pooled) ns.ip.close();
    await Promise.all(pooled.map((ns) => ns.ready.catch(() => {}).then(() => this.removeNamespace(ns.path))));
  }

  /** The veth pair from berthd's side: host end on the bridge and up, container end in the namespace. */
  private vethCommand(l: Omit<EndpointLink, 'netnsPath'>, netnsPid: string): string {
    return `link add ${l.hostVeth} up master ${l.bridge} type veth peer name ${l.ifName} address ${l.macAddress} netns ${netnsPid}`;
  }

  private insideCommands(l: Omit<EndpointLink, 'netnsPath'>): string[] {
    const cmds = [`addr add ${l.address}/${l.prefixLen} broadcast + dev ${l.ifName}`, `link set ${l.ifName} up`];
    if (l.gateway) cmds.push(`route add default via ${l.gateway} dev ${l.ifName}`);
    return cmds;
  }

  private async takeNamespace(): Promise<PooledNamespace> {
    this.fillPool();
    const ns = this.pool.shift()!;
    this.fillPool();
    try {
      await ns.ready;
      return ns;
    } catch (err) {
      // A pooled namespace failed (its process was killed?): clean it up and try a fresh one once.
      ns.ip.close();
      await this.removeNamespace(ns.path);
      this.logger.warn({ err }, 'pooled network namespace failed; creating one directly');
      const fresh = this.spawnNamespace();
      await fresh.ready;
      return fresh;
    }
  }

  private fillPool(): void {
    if (this.closed) return;
    const want = Math.max(1, this.poolSize);
    while (this.pool.length < want) this.pool.push(this.spawnNamespace());
  }

  private spawnNamespace(): PooledNamespace {
    const path = join(this.netnsDir, randomBytes(6).toString('hex'));
    // unshare bind-mounts the new namespace onto an existing file, then runs ip inside it.
    writeFileSync(path, '');
    const ip = new BatchWorker({ ...IP_DIALECT, cmd: 'unshare', args: [`--net=${path}`, 'ip', ...IP_DIALECT.args] }, this.logger);
    const ready = ip.run(['link set lo up']);
    ready.catch(() => {}); // observed by takeNamespace
    return { path, ip, ready };
  }
}

/** A fresh host ip worker costs one process start (5 ms) per this many requests. */
const HOST_IP_RECYCLE = 200;

interface PooledNamespace {
  path: string;
  /** The ip process inside the namespace, waiting for commands. */
  ip: BatchWorker;
  /** Settles once the namespace exists and its loopback is up. */
  ready: Promise<void>;
}

async function writeProc(file: string, value: string): Promise<void> {
  await writeFile(file, value);
}
