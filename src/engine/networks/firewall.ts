import type { Logger } from '../../common/logger.js';
import { BatchWorker, NFT_DIALECT } from './batch-worker.js';
import { runCommand } from './host-command.js';
import type { PortMapping } from './network-types.js';

/** What the firewall needs to know about one bridge network. */
export interface FirewallNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
  /** com.docker.network.bridge.enable_icc=false: containers of the network cannot talk to each other. */
  icc: boolean;
}

/**
 * berth's packet filtering and NAT, kept apart from every other engine's rules:
 *
 * - NAT lives in berth's own nftables table (`ip <name>`): published ports are elements of two DNAT
 *   maps (one for ports bound to all addresses, one for ports bound to one address), so publishing
 *   or unpublishing a container's ports is one small `nft -f -` transaction and no process per port.
 *   The postrouting chain (outbound MASQUERADE, loopback and hairpin MASQUERADE) is rewritten whole
 *   when networks change.
 * - Filtering goes into iptables-nft's filter table, in chains <NAME>-FORWARD and <NAME>-INPUT
 *   jumped to from FORWARD and INPUT, because an accept in a separate nftables table would not
 *   override another engine's FORWARD policy DROP (dockerd sets one).
 */
export class Firewall {
  private readonly table: string;
  private readonly forwardChain: string;
  private readonly inputChain: string;
  private readonly nft: BatchWorker;

  constructor(
    private readonly logger: Logger,
    name = 'berth',
  ) {
    this.table = name;
    this.forwardChain = `${name.toUpperCase()}-FORWARD`;
    this.inputChain = `${name.toUpperCase()}-INPUT`;
    this.nft = new BatchWorker(NFT_DIALECT, logger);
  }

  /** Rebuilds everything from scratch: the nft table with all published ports, the filter chains. */
  async reset(networks: FirewallNetwork[], ports: PortMapping[]): Promise<void> {
    const t = this.table;
    const script = [
      `table ip ${t} {}`,
      `delete table ip ${t}`,
      `table ip ${t} {`,
      '  map dnat_any { type inet_proto . inet_service : ipv4_addr . inet_service; }',
      '  map dnat_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }',
      '  chain ports {',
      '    dnat ip to ip daddr . meta l4proto . th dport map @dnat_addr',
      '    dnat ip to meta l4proto . th dport map @dnat_any',
      '  }',
      '  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump ports; }',
      '  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump ports; }',
      '  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }',
      '}',
      ...this.postroutingRules(networks),
      ...this.portElements('add', ports),
    ].join('\n');
    await Promise.all([runCommand('nft', ['-f', '-'], script + '\n'), this.applyFilter(networks, true)]);
  }

  /** Rewrites the per-network rules after a network was created or removed. */
  async applyNetworks(networks: FirewallNetwork[]): Promise<void> {
    await Promise.all([
      runCommand('nft', ['-f', '-'], this.postroutingRules(networks).join('\n') + '\n'),
      this.applyFilter(networks, false),
    ]);
  }

  /** Publishes ports: all or none (one nft transaction, through the long-lived `nft -i`). */
  async addPorts(ports: PortMapping[]): Promise<void> {
    if (!ports.length) return;
    await this.nft.run(this.portElements('add', ports));
  }

  /** Unpublishes ports; ones already gone are skipped. */
  async removePorts(ports: PortMapping[]): Promise<void> {
    if (!ports.length) return;
    try {
      await this.nft.run(this.portElements('delete', ports));
    } catch {
      // Some were missing (a half-finished teardown before a crash): delete the rest one by one.
      for (const p of ports) await this.nft.run(this.portElements('delete', [p])).catch(() => {});
    }
  }

  /** Ends the `nft -i` worker (berthd shutdown). */
  close(): void {
    this.nft.close();
  }

  /** Removes every rule and chain of berth (uninstall, tests). */
  async removeAll(): Promise<void> {
    await runCommand('nft', ['-f', '-'], `table ip ${this.table} {}\ndelete table ip ${this.table}\n`);
    const saved = await runCommand('iptables-save', ['-t', 'filter']);
    const lines = ['*filter'];
    for (const [parent, chain] of [
      ['FORWARD', this.forwardChain],
      ['INPUT', this.inputChain],
    ] as const) {
      if (saved.includes(`-A ${parent} -j ${chain}`)) lines.push(`-D ${parent} -j ${chain}`);
      if (saved.includes(`:${chain} `)) lines.push(`-F ${chain}`, `-X ${chain}`);
    }
    lines.push('COMMIT');
    if (lines.length > 2) await runCommand('iptables-restore', ['--noflush'], lines.join('\n') + '\n');
  }

  private postroutingRules(networks: FirewallNetwork[]): string[] {
    const t = this.table;
    const out = [`flush chain ip ${t} postrouting`];
    for (const n of networks) {
      const br = JSON.stringify(n.bridge);
      // Host → 127.0.0.1:published: leaves through the bridge with a loopback source (route_localnet).
      out.push(`add rule ip ${t} postrouting oifname ${br} ip saddr 127.0.0.0/8 masquerade`);
      // Hairpin: a container reaching a published port of its own network through the host. (No
      // iifname here: the input device is unknown in postrouting.)
      out.push(`add rule ip ${t} postrouting oifname ${br} ip saddr ${n.subnet} ct status dnat masquerade`);
      if (!n.internal) out.push(`add rule ip ${t} postrouting ip saddr ${n.subnet} oifname != ${br} masquerade`);
    }
    return out;
  }

  private portElements(verb: 'add' | 'delete', ports: PortMapping[]): string[] {
    return ports.map((p) => {
      const target = ` : ${p.containerIp} . ${p.containerPort}`;
      const anyAddr = p.hostIp === '' || p.hostIp === '0.0.0.0';
      const key = anyAddr ? `${p.proto} . ${p.hostPort}` : `${p.hostIp} . ${p.proto} . ${p.hostPort}`;
      const map = anyAddr ? 'dnat_any' : 'dnat_addr';
      return `${verb} element ip ${this.table} ${map} { ${key}${verb === 'add' ? target : ''} }`;
    });
  }

  /**
   * Docker's forwarding semantics, per bridge: replies and published ports in, traffic inside the
   * network, traffic out to anything that is not another berth network (isolation), nothing else in.
   * Internal networks: inside only.
   */
  private async applyFilter(networks: FirewallNetwork[], ensureJumps: boolean): Promise<void> {
    const f = this.forwardChain;
    const i = this.inputChain;
    const lines = ['*filter', `:${f} - [0:0]`, `:${i} - [0:0]`];
    for (const n of networks) {
      if (n.internal) continue;
      lines.push(`-A ${f} -o ${n.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
      lines.push(`-A ${f} -o ${n.bridge} -m conntrack --ctstate DNAT -j ACCEPT`);
    }
    for (const n of networks) lines.push(`-A ${f} -i ${n.bridge} -o ${n.bridge} -j ${n.icc ? 'ACCEPT' : 'DROP'}`);
    for (const n of networks) lines.push(`-A ${f} -o ${n.bridge} -j DROP`);
    for (const n of networks) lines.push(`-A ${f} -i ${n.bridge} -j ${n.internal ? 'DROP' : 'ACCEPT'}`);
    // The embedded DNS server listens on the gateway addresses.
    for (const n of networks) {
      lines.push(`-A ${i} -i ${n.bridge} -p udp --dport 53 -j ACCEPT`, `-A ${i} -i ${n.bridge} -p tcp --dport 53 -j ACCEPT`);
    }
    if (ensureJumps) {
      const saved = await runCommand('iptables-save', ['-t', 'filter']).catch(() => '');
      if (!saved.includes(`-A FORWARD -j ${f}`)) lines.push(`-I FORWARD -j ${f}`);
      if (!saved.includes(`-A INPUT -j ${i}`)) lines.push(`-I INPUT -j ${i}`);
    }
    lines.push('COMMIT');
    await runCommand('iptables-restore', ['--noflush'], lines.join('\n') + '\n');
    this.logger.debug({ rules: lines.length - 4 }, 'filter rules applied');
  }
}
