import { InvalidArgumentError } from '../../common/errors.js';
import { exactMatch, filterValues, fuzzyMatch, hasFilter, matchKVList, validateFilters, type FilterArgs } from '../../common/filters.js';
import { humanDuration } from '../../common/human-duration.js';
import type { ContainerRecord } from './container-model.js';

/** Docker's one-line Status for `docker ps`. */
export function statusText(c: ContainerRecord, now = Date.now()): string {
  const s = c.State;
  const since = (t: string) => humanDuration(now - Date.parse(t));
  if (s.Status === 'removing') return 'Removal In Progress';
  if (s.Dead) return 'Dead';
  if (s.Restarting) return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
  if (s.Running) {
    const health = s.Health && s.Health.Status !== 'none' ? ` (${s.Health.Status === 'starting' ? 'health: starting' : s.Health.Status})` : '';
    return `Up ${since(s.StartedAt)}${s.Paused ? ' (Paused)' : health}`;
  }
  if (s.StartedAt === '0001-01-01T00:00:00Z' && s.FinishedAt === '0001-01-01T00:00:00Z') return 'Created';
  return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
}

/** GET /containers/{id}/json */
export function inspectView(c: ContainerRecord, extra: { execIds: string[]; graphDriver: Record<string, string>; size?: { rw: number; rootFs: number } }) {
  return {
    Id: c.Id,
    Created: c.Created,
    Path: c.Path,
    Args: c.Args,
    State: c.State,
    Image: c.Image,
    ResolvConfPath: c.ResolvConfPath,
    HostnamePath: c.HostnamePath,
    HostsPath: c.HostsPath,
    LogPath: c.LogPath,
    Name: c.Name,
    RestartCount: c.RestartCount,
    Driver: c.Driver,
    Platform: c.Platform,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: extra.execIds.length ? extra.execIds : null,
    HostConfig: c.HostConfig,
    GraphDriver: { Name: 'overlay2', Data: extra.graphDriver },
    ...(extra.size ? { SizeRw: extra.size.rw, SizeRootFs: extra.size.rootFs } : {}),
    Mounts: c.Mounts,
    Config: c.Config,
    NetworkSettings: c.NetworkSettings,
  };
}

function portList(c: ContainerRecord) {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  const ports = (c.NetworkSettings.Ports ?? {}) as Record<string, { HostIp: string; HostPort: string }[] | null>;
  const seen = new Set<string>();
  for (const [key, bindings] of Object.entries(ports)) {
    const [port, type] = key.split('/');
    seen.add(key);
    if (!bindings?.length) out.push({ PrivatePort: Number(port), Type: type ?? 'tcp' });
    else for (const b of bindings) out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type ?? 'tcp' });
  }
  for (const key of Object.keys(c.Config.ExposedPorts ?? {})) {
    if (seen.has(key)) continue;
    const [port, type] = key.split('/');
    out.push({ PrivatePort: Number(port), Type: type ?? 'tcp' });
  }
  return out;
}

/** One entry of GET /containers/json */
export function summaryView(c: ContainerRecord, size?: { rw: number; rootFs: number }, linkNames: string[] = []) {
  // dockerd quotes arguments that hold a space, and only those.
  const args = c.Args.map((a) => (a.includes(' ') ? `'${a}'` : a));
  const command = args.length ? `${c.Path} ${args.join(' ')}` : c.Path;
  return {
    Id: c.Id,
    Names: [c.Name, ...linkNames],
    Image: c.Config.Image,
    ImageID: c.Image,
    Command: command,
    Created: Math.floor(Date.parse(c.Created) / 1000),
    Ports: portList(c),
    ...(size ? { SizeRw: size.rw, SizeRootFs: size.rootFs } : {}),
    Labels: c.Config.Labels ?? {},
    State: c.State.Status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.HostConfig.NetworkMode, ...(c.HostConfig.Annotations && Object.keys(c.HostConfig.Annotations).length ? { Annotations: c.HostConfig.Annotations } : {}) },
    NetworkSettings: { Networks: c.NetworkSettings.Networks ?? {} },
    Mounts: c.Mounts.map((m) => ({ ...m })),
  };
}

export interface ListContext {
  /** Resolves an image reference to its id, or undefined. */
  imageId(ref: string): string | undefined;
  /** Resolves a container reference (for before/since), or throws NotFound. */
  container(ref: string): ContainerRecord;
}

const KNOWN_FILTERS = ['id', 'name', 'label', 'status', 'ancestor', 'exited', 'before', 'since', 'health', 'network', 'volume', 'is-task', 'publish', 'expose'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/**
 * A Go regexp as a JavaScript one: RE2 leading flag groups such as `(?i)` become flags; a pattern
 * JavaScript cannot compile is undefined (moby skips a filter value that is not a valid regexp).
 */
function goRegExp(pattern: string): RegExp | undefined {
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  const flags = m ? [...new Set(m[1]!.replace('U', ''))].join('') : '';
  try {
    return new RegExp(m ? pattern.slice(m[0].length) : pattern, flags);
  } catch {
    return undefined;
  }
}

/**
 * moby's `name` filter: each value matches exactly or as an unanchored regexp, against the name
 * with its leading slash and without it (`^/web` and `^web` both find "/web-1").
 */
export function nameMatches(values: string[], name: string): boolean {
  const bare = name.replace(/^\//, '');
  return values.some((v) => {
    if (v === name || v === bare) return true;
    const re = goRegExp(v);
    return !!re && (re.test(name) || re.test(bare));
  });
}

/** Whether a published (`publish`) or exposed (`expose`) port filter value names one of the ports: `80`, `80/tcp`. */
function portMatches(want: string, ports: { port: number | undefined; type: string }[]): boolean {
  const prefix = want.includes('/') ? want : `${want}/`;
  return ports.some((p) => p.port !== undefined && `${p.port}/${p.type}`.startsWith(prefix));
}

/** The network names and ids a `network` filter value may name. */
function networkNames(c: ContainerRecord): string[] {
  const nets = c.NetworkSettings.Networks ?? {};
  return [c.HostConfig.NetworkMode ?? '', ...Object.keys(nets), ...Object.values(nets).map((n) => n.NetworkID ?? '')];
}

/** One container against the filters; before/since and ancestors resolved by the caller. */
function matchesFilters(c: ContainerRecord, f: FilterArgs, r: { before?: ContainerRecord; since?: ContainerRecord; ancestors: string[] }): boolean {
  if (!fuzzyMatch(f, 'id', c.Id)) return false;
  if (hasFilter(f, 'name') && !nameMatches(f.name!, c.Name)) return false;
  if (!exactMatch(f, 'status', c.State.Status)) return false;
  if (hasFilter(f, 'exited') && (c.State.Running || c.State.Status === 'created' || !exactMatch(f, 'exited', String(c.State.ExitCode)))) return false;
  if (!matchKVList(f, 'label', c.Config.Labels)) return false;
  if (r.ancestors.length && !r.ancestors.includes(c.Image) && !filterValues(f, 'ancestor').includes(c.Config.Image ?? '')) return false;
  if (r.before && !(c.Created < r.before.Created)) return false;
  if (r.since && !(c.Created > r.since.Created)) return false;
  if (!exactMatch(f, 'health', c.State.Health?.Status ?? 'none')) return false;
  if (hasFilter(f, 'network') && !filterValues(f, 'network').some((n) => networkNames(c).includes(n))) return false;
  if (hasFilter(f, 'volume') && !filterValues(f, 'volume').some((v) => c.Mounts.some((m) => m.Name === v || m.Destination === v || m.Source === v))) return false;
  if (filterValues(f, 'is-task').includes('true')) return false;
  if (hasFilter(f, 'publish') || hasFilter(f, 'expose')) {
    const ports = portList(c);
    const published = ports.map((x) => ({ port: x.PublicPort, type: x.Type }));
    const exposed = ports.map((x) => ({ port: x.PrivatePort, type: x.Type }));
    if (!filterValues(f, 'publish').every((p) => portMatches(p, published))) return false;
    if (!filterValues(f, 'expose').every((p) => portMatches(p, exposed))) return false;
  }
  return true;
}

/** Docker's container list filters. */
export function filterContainers(all: ContainerRecord[], filters: FilterArgs, ctx: ListContext): ContainerRecord[] {
  validateFilters(filters, KNOWN_FILTERS);
  for (const s of filterValues(filters, 'status')) {
    if (!STATUSES.includes(s)) throw new InvalidArgumentError(`invalid filter 'status=${s}'`);
  }
  const resolved = {
    before: filters.before?.[0] ? ctx.container(filters.before[0]) : undefined,
    since: filters.since?.[0] ? ctx.container(filters.since[0]) : undefined,
    ancestors: filterValues(filters, 'ancestor').map((a) => ctx.imageId(a) ?? `__none__${a}`),
  };
  // A name filter that is no regexp, or a record stored malformed, matches nothing (moby's
  // filters.Match skips what it cannot evaluate) instead of failing the whole list.
  return all.filter((c) => {
    try {
      return matchesFilters(c, filters, resolved);
    } catch {
      return false;
    }
  });
}
