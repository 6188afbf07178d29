import { InvalidArgumentError, NotFoundError, SystemError } from '../../common/errors.js';
import { parseLink } from '../networks/network-service.js';
import type { HostConfig, NetworkSettings } from './container-model.js';

// Legacy container links (`--link name:alias`, HostConfig.Links) on the default bridge, as dockerd
// makes them: checked at create and kept in inspect's form "/target:/me/alias"; at each start the
// linking container gets ALIAS_* environment variables and /etc/hosts lines for every target.
// On user-defined networks links are EndpointSettings.Links, answered by the embedded DNS server.

/** What links need to know of a container. */
export interface LinkableContainer {
  Id: string;
  /** With the leading slash. */
  Name: string;
  Config: { Hostname?: string; Env?: string[] | null; ExposedPorts?: Record<string, unknown> | null };
  HostConfig: HostConfig;
  State: { Running: boolean };
  NetworkSettings: NetworkSettings;
}

export type ContainerLookup = (ref: string) => LinkableContainer;

function isLegacyMode(mode: string | undefined): boolean {
  return !mode || mode === 'default' || mode === 'bridge';
}

/**
 * HostConfig.Links of a new container named `me` in inspect's form, or null when there are none or
 * the container is on a user-defined network (dockerd keeps no legacy links there). Every target
 * must exist; a target sharing another container's namespace stands for that container.
 */
export function normaliseLinks(links: unknown, me: string, networkMode: string, lookup: ContainerLookup): string[] | null {
  if (!Array.isArray(links) || links.length === 0) return null;
  if (networkMode === 'host') {
    throw new InvalidArgumentError('conflicting options: host type networking can\'t be used with links. This would result in undefined behavior');
  }
  if (networkMode.startsWith('container:')) {
    throw new InvalidArgumentError("conflicting options: container type network can't be used with links. This would result in undefined behavior");
  }
  if (!isLegacyMode(networkMode) && networkMode !== 'none') return null;
  const out: string[] = [];
  for (const raw of links) {
    const { name, alias } = parseLink(String(raw));
    let target = find(lookup, name, `could not get container for ${name}`);
    for (let mode = String(target.HostConfig.NetworkMode ?? ''); mode.startsWith('container:'); mode = String(target.HostConfig.NetworkMode ?? '')) {
      const cid = mode.slice('container:'.length);
      target = find(lookup, cid, `could not get container for ${cid}`);
    }
    if (target.HostConfig.NetworkMode === 'host') {
      throw new InvalidArgumentError("conflicting options: host type networking can't be used with links. This would result in undefined behavior");
    }
    out.push(`${target.Name}:${me}/${alias}`);
  }
  return out;
}

function find(lookup: ContainerLookup, ref: string, context: string): LinkableContainer {
  try {
    return lookup(ref);
  } catch (err) {
    // A missing target is a bad argument, not a missing container (the CLI would say "image not found").
    if (err instanceof NotFoundError) throw new InvalidArgumentError(`${context}: ${err.message}`);
    throw err;
  }
}

export interface LinkSetup {
  /** ALIAS_* variables, to go before the container's own Env. */
  env: string[];
  /** Lines to append to /etc/hosts: "ip\talias hostname name". */
  hosts: string;
}

/**
 * What a starting container gets from its legacy links. Targets removed since are skipped (dockerd
 * drops the link with the target); a target that is not running or not on the default bridge fails
 * the start, with dockerd's messages.
 */
export function linkSetup(c: LinkableContainer, lookup: ContainerLookup): LinkSetup {
  const setup: LinkSetup = { env: [], hosts: '' };
  if (!c.NetworkSettings.Networks?.bridge) return setup;
  for (const link of (c.HostConfig.Links ?? []) as string[]) {
    const { name, alias } = parseLink(link);
    const linkName = link.includes(':') && link.startsWith('/') ? link.slice(link.indexOf(':') + 1) : `${c.Name}/${alias}`;
    let target: LinkableContainer;
    try {
      target = lookup(name);
    } catch {
      continue;
    }
    if (!target.State.Running) throw new SystemError(`Cannot link to a non running container: ${target.Name} AS ${linkName}`);
    const ip: string | undefined = target.NetworkSettings.Networks?.bridge?.IPAddress;
    if (!ip) throw new SystemError(`Cannot link to ${target.Name}, as it does not belong to the default network`);
    const names = [alias, target.Config.Hostname ?? ''].filter(Boolean);
    if (alias !== target.Name.slice(1)) names.push(target.Name.slice(1));
    setup.hosts += `${ip}\t${names.join(' ')}\n`;
    setup.env.push(...linkEnv(linkName, ip, target.Config.Env ?? [], Object.keys(target.Config.ExposedPorts ?? {})));
  }
  return setup;
}

/**
 * The hosts file with the link lines put where dockerd puts them: after --add-host entries and
 * before the container's own address (its last line).
 */
export function withLinkHosts(hostsFile: string, linkLines: string): string {
  if (!linkLines) return hostsFile;
  const lines = hostsFile.replace(/\n$/, '').split('\n');
  const own = lines.pop()!;
  return `${[...lines, linkLines.replace(/\n$/, ''), own].join('\n')}\n`;
}

/**
 * Docker's link variables for link name "/me/alias": ALIAS_PORT (the first port), per port
 * ALIAS_PORT_<n>_<PROTO>{,_ADDR,_PORT,_PROTO}, _START/_END for runs of consecutive ports,
 * ALIAS_NAME, and ALIAS_ENV_<k> for the target's environment (without HOME and PATH).
 */
export function linkEnv(linkName: string, ip: string, env: string[], exposedPorts: string[]): string[] {
  const alias = linkName.split('/').pop()!.toUpperCase().replace(/-/g, '_');
  const ports = exposedPorts
    .map((p) => {
      const [num, proto = 'tcp'] = p.split('/');
      return { num: Number(num), proto: proto.toLowerCase() };
    })
    .filter((p) => Number.isInteger(p.num))
    .sort((a, b) => (a.proto === b.proto ? a.num - b.num : a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto < b.proto ? -1 : 1));
  const out: string[] = [];
  const url = (p: { num: number; proto: string }) => `${p.proto}://${ip}:${p.num}`;
  const prefixOf = (p: { num: number; proto: string }) => `${alias}_PORT_${p.num}_${p.proto.toUpperCase()}`;
  let start = ports[0];
  let end = ports[0];
  ports.forEach((p, i) => {
    if (i === 0) out.push(`${alias}_PORT=${url(p)}`);
    const prefix = prefixOf(p);
    out.push(`${prefix}=${url(p)}`, `${prefix}_ADDR=${ip}`, `${prefix}_PORT=${p.num}`, `${prefix}_PROTO=${p.proto}`);
    if (p.num === end!.num + 1 && p.proto === end!.proto) {
      end = p;
      if (i < ports.length - 1) return;
    }
    if (end !== start) {
      const sp = prefixOf(start!);
      out.push(`${sp}_START=${url(start!)}`, `${sp}_PORT_START=${start!.num}`, `${sp}_END=${url(end!)}`, `${sp}_PORT_END=${end!.num}`);
    }
    start = end = p;
  });
  out.push(`${alias}_NAME=${linkName}`);
  for (const kv of env) {
    const i = kv.indexOf('=');
    if (i < 0) continue;
    const k = kv.slice(0, i);
    if (k === 'HOME' || k === 'PATH') continue;
    out.push(`${alias}_ENV_${k}=${kv.slice(i + 1)}`);
  }
  return out;
}

/**
 * DELETE /containers/{parent}/{alias}?link=1: forgets the link "/parent/alias" of the parent
 * (dockerd's rmLink); the linked container itself stays. `save` persists the parent.
 */
export function removeLink(ref: string, lookup: ContainerLookup, save: (parent: LinkableContainer) => void): void {
  const name = ref.startsWith('/') ? ref : `/${ref}`;
  const cut = name.lastIndexOf('/');
  if (cut === 0) {
    lookup(name);
    throw new SystemError('Conflict, cannot remove the default link name of the container');
  }
  const parentName = name.slice(0, cut);
  let parent: LinkableContainer;
  try {
    parent = lookup(parentName);
  } catch {
    throw new NotFoundError(`No such container: ${ref}`);
  }
  const links = (parent.HostConfig.Links ?? []) as string[];
  const kept = links.filter((l) => l.slice(l.indexOf(':') + 1) !== `${parent.Name}${name.slice(cut)}`);
  if (kept.length === links.length) throw new NotFoundError(`No such container: ${ref}`);
  parent.HostConfig.Links = kept.length ? kept : null;
  save(parent);
}

/** The link names ("/parent/alias") each container is also known by, keyed by its own name: `docker ps` lists them. */
export function linkNamesByTarget(all: LinkableContainer[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of all) {
    for (const l of (p.HostConfig.Links ?? []) as string[]) {
      const cut = l.indexOf(':');
      if (cut < 0) continue;
      const target = l.slice(0, cut);
      out.set(target, [...(out.get(target) ?? []), l.slice(cut + 1)]);
    }
  }
  return out;
}
