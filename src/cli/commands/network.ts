import type { Command } from 'commander';
import { ApiError, type NetworkSummary } from '../../client/api-client.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { confirm } from '../confirm.js';
import { FormatError, quietFormatWarning, renderList } from '../output/format.js';
import { goFormatterContext } from '../output/go-value.js';
import { goTimeString } from '../output/units.js';
import { forEachTarget } from './container/command-errors.js';
import { printInspected } from '../output/inspect-output.js';
import { filtersJson } from './container/ps.js';

// `berth network create|ls|inspect|rm|prune|connect|disconnect`, as docker/cli 28 does them.

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

const LS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const LS_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/** One `network ls` row as docker's formatter.networkContext shows it. */
function networkContext(n: NetworkSummary, trunc: boolean): object {
  const labels: Record<string, string> = n.Labels ?? {};
  return goFormatterContext(
    {
      ID: () => (trunc ? String(n.Id).slice(0, 12) : String(n.Id)),
      Name: () => String(n.Name ?? ''),
      Driver: () => String(n.Driver ?? ''),
      Scope: () => String(n.Scope ?? ''),
      IPv4: () => String(n.EnableIPv4 ?? true),
      IPv6: () => String(!!n.EnableIPv6),
      Internal: () => String(!!n.Internal),
      Labels: () =>
        Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      Label: (name: string) => labels[name] ?? '',
      CreatedAt: () => goTimeString(new Date(n.Created)),
    },
    '*formatter.networkContext',
  );
}

/** Go's sortorder.NaturalLess: digit runs compare by value. */
function naturalCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** `-o k=v` / `--label k[=v]` repeated → a map. */
function keyValues(items: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** Whether `addr` (an address or a CIDR) lies in `subnet`; IPv6 only matches IPv6 subnets. */
function inSubnet(addr: string, subnet: string): boolean {
  const [base, bits] = subnet.split('/');
  const ip = addr.split('/')[0]!;
  if (ip.includes(':') || base!.includes(':')) return ip.includes(':') && base!.includes(':');
  const b = ipv4ToInt(base!);
  const a = ipv4ToInt(ip);
  if (a === undefined || b === undefined) return false;
  const prefix = Number(bits ?? 32);
  const size = 2 ** (32 - prefix);
  return Math.floor(a / size) === Math.floor(b / size);
}

interface IpamEntry {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** docker/cli's consolidateIpam: each --ip-range, --gateway and --aux-address goes to the --subnet containing it. */
function consolidateIpam(subnets: string[], ranges: string[], gateways: string[], aux: Record<string, string>): IpamEntry[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new CliExit(1, 'every ip-range or gateway must have a corresponding subnet');
  }
  const entries: IpamEntry[] = subnets.map((s) => ({ Subnet: s }));
  for (const r of ranges) {
    const e = entries.find((x) => inSubnet(r, x.Subnet));
    if (!e) throw new CliExit(1, `no matching subnet for range ${r}`);
    if (e.IPRange) throw new CliExit(1, `cannot configure multiple ranges (${r}, ${e.IPRange}) on the same subnet (${e.Subnet})`);
    e.IPRange = r;
  }
  for (const g of gateways) {
    const e = entries.find((x) => inSubnet(g, x.Subnet));
    if (!e) throw new CliExit(1, `no matching subnet for gateway ${g}`);
    if (e.Gateway) throw new CliExit(1, `cannot configure multiple gateways (${g}, ${e.Gateway}) for the same subnet (${e.Subnet})`);
    e.Gateway = g;
  }
  for (const [name, ip] of Object.entries(aux)) {
    const e = entries.find((x) => inSubnet(ip, x.Subnet));
    if (!e) throw new CliExit(1, `no matching subnet for aux-address ${ip}`);
    (e.AuxiliaryAddresses ??= {})[name] = ip;
  }
  return entries;
}

interface CreateOptions {
  driver: string;
  subnet?: string[];
  gateway?: string[];
  ipRange?: string[];
  auxAddress?: string[];
  ipamDriver: string;
  ipamOpt?: string[];
  internal?: boolean;
  attachable?: boolean;
  ingress?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  label?: string[];
  opt?: string[];
  scope?: string;
  configOnly?: boolean;
  configFrom?: string;
}

function registerCreate(group: Command, env: () => CliEnv): void {
  group
    .command('create')
    .description('Create a network')
    .usage('[OPTIONS] NETWORK')
    .argument('<network>')
    .option('--attachable', 'Enable manual container attachment')
    .option('--aux-address <map>', 'Auxiliary IPv4 or IPv6 addresses used by Network driver', collect)
    .option('--config-from <string>', 'The network from which to copy the configuration')
    .option('--config-only', 'Create a configuration only network')
    .option('-d, --driver <string>', 'Driver to manage the Network', 'bridge')
    .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', collect)
    .option('--ingress', 'Create swarm routing-mesh network')
    .option('--internal', 'Restrict external access to the network')
    .option('--ip-range <strings>', 'Allocate container ip from a sub-range', collect)
    .option('--ipam-driver <string>', 'IP Address Management Driver', 'default')
    .option('--ipam-opt <map>', 'Set IPAM driver specific options', collect)
    .option('--ipv4', 'Enable or disable IPv4 address assignment')
    .option('--no-ipv4', 'Disable IPv4 address assignment')
    .option('--ipv6', 'Enable or disable IPv6 networking')
    .option('--label <list>', 'Set metadata on a network', collect)
    .option('-o, --opt <map>', 'Set driver specific options', collect)
    .option('--scope <string>', "Control the network's scope")
    .option('--subnet <strings>', 'Subnet in CIDR format that represents a network segment', collect)
    .action(async (name: string, o: CreateOptions) => {
      const e = env();
      const aux = keyValues(o.auxAddress);
      const config = consolidateIpam(o.subnet ?? [], o.ipRange ?? [], o.gateway ?? [], aux);
      const body = {
        Name: name,
        Driver: o.driver,
        Options: keyValues(o.opt),
        IPAM: { Driver: o.ipamDriver, Config: config, Options: keyValues(o.ipamOpt) },
        Internal: !!o.internal,
        Attachable: !!o.attachable,
        Ingress: !!o.ingress,
        Scope: o.scope ?? '',
        ConfigOnly: !!o.configOnly,
        ...(o.configFrom ? { ConfigFrom: { Network: o.configFrom } } : {}),
        ...(o.ipv4 === false ? { EnableIPv4: false } : {}),
        ...(o.ipv6 !== undefined ? { EnableIPv6: !!o.ipv6 } : {}),
        Labels: keyValues(o.label),
      };
      const res = await e.client().networks.create(body);
      if (res.Warning) e.err.write(`${res.Warning}\n`);
      e.out.write(`${res.Id}\n`);
    });
}

function registerLs(group: Command, env: () => CliEnv): void {
  group
    .command('ls')
    .aliases(['list'])
    .description('List networks')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "driver=bridge")', collect)
    .option('--format <string>', 'Format output using a custom template')
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(async (o: { filter?: string[]; format?: string; trunc?: boolean; quiet?: boolean }) => {
      const e = env();
      const list = await e.client().networks.list(filtersJson(o.filter ?? []));
      list.sort((a, b) => naturalCompare(String(a.Name), String(b.Name)));
      const format = o.format ?? '';
      const warning = quietFormatWarning({ format, quiet: o.quiet });
      if (warning) e.err.write(`${warning}\n`);
      try {
        e.out.write(
          renderList(
            list.map((n) => networkContext(n, o.trunc !== false)),
            { format, defaultTableFormat: LS_TABLE, headers: LS_HEADERS, quiet: o.quiet },
          ),
        );
      } catch (err) {
        if (err instanceof FormatError) throw new CliExit(1, err.message);
        throw err;
      }
    });
}

function registerInspect(group: Command, env: () => CliEnv): void {
  group
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .usage('[OPTIONS] NETWORK [NETWORK...]')
    .argument('<networks...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(async (names: string[], o: { format?: string; verbose?: boolean }) => {
      const e = env();
      const found: unknown[] = [];
      const errors: string[] = [];
      for (const name of names) {
        try {
          found.push(await e.client().networks.inspect(name, { verbose: o.verbose }));
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          errors.push(err.status === 404 ? `Error: No such network: ${name}` : `Error response from daemon: ${err.message}`);
        }
      }
      printInspected(e, found, errors, o.format);
    });
}

function registerRm(group: Command, env: () => CliEnv): void {
  group
    .command('rm')
    .aliases(['remove'])
    .description('Remove one or more networks')
    .usage('NETWORK [NETWORK...]')
    .argument('<networks...>')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (names: string[], o: { force?: boolean }) => {
      const e = env();
      await forEachTarget(names, e.out, async (name) => {
        try {
          await e.client().networks.remove(name);
        } catch (err) {
          if (o.force && err instanceof ApiError && err.status === 404) return undefined;
          throw err;
        }
        return name;
      });
    });
}

function registerPrune(group: Command, env: () => CliEnv): void {
  group
    .command('prune')
    .description('Remove all unused networks')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { filter?: string[]; force?: boolean }) => {
      const e = env();
      const question = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
      if (!o.force && !(await confirm(e, question))) throw new CliExit(0);
      const res = await e.client().networks.prune(filtersJson(o.filter ?? []));
      const deleted = res?.NetworksDeleted ?? [];
      if (deleted.length) e.out.write(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
    });
}

function registerConnect(group: Command, env: () => CliEnv): void {
  group
    .command('connect')
    .description('Connect a container to a network')
    .usage('[OPTIONS] NETWORK CONTAINER')
    .argument('<network>')
    .argument('<container>')
    .option('--alias <strings>', 'Add network-scoped alias for the container', collect)
    .option('--driver-opt <strings>', 'driver options for the network', collect)
    .option('--gw-priority <int>', 'Highest gw-priority provides the default gateway. Accepts positive and negative values.')
    .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
    .option('--ip6 <string>', 'IPv6 address (e.g., "2001:db8::33")')
    .option('--link <list>', 'Add link to another container', collect)
    .option('--link-local-ip <strings>', 'Add a link-local address for the container', collect)
    .action(
      async (
        network: string,
        container: string,
        o: { alias?: string[]; driverOpt?: string[]; gwPriority?: string; ip?: string; ip6?: string; link?: string[]; linkLocalIp?: string[] },
      ) => {
        const e = env();
        const ipam = o.ip || o.ip6 || o.linkLocalIp?.length ? { IPv4Address: o.ip ?? '', IPv6Address: o.ip6 ?? '', LinkLocalIPs: o.linkLocalIp ?? [] } : undefined;
        const body = {
          Container: container,
          EndpointConfig: {
            ...(ipam ? { IPAMConfig: ipam } : {}),
            Links: o.link ?? null,
            Aliases: o.alias ?? null,
            DriverOpts: o.driverOpt?.length ? keyValues(o.driverOpt) : null,
            GwPriority: o.gwPriority ? Number(o.gwPriority) : 0,
          },
        };
        await e.client().networks.connect(network, body);
      },
    );
}

function registerDisconnect(group: Command, env: () => CliEnv): void {
  group
    .command('disconnect')
    .description('Disconnect a container from a network')
    .usage('[OPTIONS] NETWORK CONTAINER')
    .argument('<network>')
    .argument('<container>')
    .option('-f, --force', 'Force the container to disconnect from a network')
    .action(async (network: string, container: string, o: { force?: boolean }) => {
      const e = env();
      await e.client().networks.disconnect(network, container, !!o.force);
    });
}

export function registerNetworkCommands(program: Command, env: () => CliEnv): void {
  const group = program.command('network').description('Manage networks').usage('COMMAND').enablePositionalOptions();
  registerConnect(group, env);
  registerCreate(group, env);
  registerDisconnect(group, env);
  registerInspect(group, env);
  registerLs(group, env);
  registerPrune(group, env);
  registerRm(group, env);
}
