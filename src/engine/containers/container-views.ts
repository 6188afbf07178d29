import { InvalidArgumentError } from '../../common/errors.js';
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
    Mounts: c.Mounts.map((m: any) => ({ ...m })),
  };
}

export interface ListContext {
  /** Resolves an image reference to its id, or undefined. */
  imageId(ref: string): string | undefined;
  /** Resolves a container reference (for before/since), or throws NotFound. */
  container(ref: string): ContainerRecord;
}

const KNOWN_FILTERS = new Set(['id', 'name', 'label', 'status', 'ancestor', 'exited', 'before', 'since', 'health', 'network', 'volume', 'is-task', 'publish', 'expose']);
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

/** Docker's container list filters. */
export function filterContainers(all: ContainerRecord[], filters: Record<string, string[]>, ctx: ListContext): ContainerRecord[] {
  for (const k of Object.keys(filters)) if (!KNOWN_FILTERS.has(k)) throw new InvalidArgumentError(`invalid filter '${k}'`);
  for (const s of filters.status ?? []) {
    if (!STATUSES.includes(s)) throw new InvalidArgumentError(`invalid filter 'status=${s}'`);
  }
  const beforeC = filters.before?.[0] ? ctx.container(filters.before[0]) : undefined;
  const sinceC = filters.since?.[0] ? ctx.container(filters.since[0]) : undefined;
  const ancestors = (filters.ancestor ?? []).map((a) => ctx.imageId(a) ?? `__none__${a}`);
  const matches = (c: ContainerRecord): boolean => {
    if (filters.id?.length && !filters.id.some((p) => c.Id.startsWith(p))) return false;
    if (filters.name?.length && !nameMatches(filters.name, c.Name)) return false;
    if (filters.status?.length && !filters.status.includes(c.State.Status)) return false;
    if (filters.exited?.length && (c.State.Running || c.State.Status === 'created' || !filters.exited.includes(String(c.State.ExitCode)))) return false;
    if (filters.label?.length) {
      const labels = c.Config.Labels ?? {};
      for (const l of filters.label) {
        const i = l.indexOf('=');
        const k = i < 0 ? l : l.slice(0, i);
        if (!(k in labels) || (i >= 0 && labels[k] !== l.slice(i + 1))) return false;
      }
    }
    if (ancestors.length && !ancestors.includes(c.Image) && !(filters.ancestor ?? []).includes(c.Config.Image)) return false;
    if (beforeC && !(c.Created < beforeC.Created)) return false;
    if (sinceC && !(c.Created > sinceC.Created)) return false;
    if (filters.health?.length && !filters.health.includes(c.State.Health?.Status ?? 'none')) return false;
    if (filters.network?.length) {
      const nets = c.NetworkSettings.Networks ?? {};
      const names = [c.HostConfig.NetworkMode, ...Object.keys(nets), ...Object.values(nets).map((n: any) => n.NetworkID)];
      if (!filters.network.some((n) => names.includes(n))) return false;
    }
    if (filters.volume?.length) {
      if (!filters.volume.some((v) => c.Mounts.some((m: any) => m.Name === v || m.Destination === v || m.Source === v))) return false;
    }
    if (filters['is-task']?.length && filters['is-task'].includes('true')) return false;
    if (filters.publish?.length || filters.expose?.length) {
      const ports = portList(c);
      for (const p of filters.publish ?? []) if (!ports.some((x) => x.PublicPort !== undefined && `${x.PublicPort}/${x.Type}`.startsWith(p.includes('/') ? p : `${p}/`))) return false;
      for (const p of filters.expose ?? []) if (!ports.some((x) => `${x.PrivatePort}/${x.Type}`.startsWith(p.includes('/') ? p : `${p}/`))) return false;
    }
    return true;
  };
  // A name filter that is no regexp, or a record stored malformed, matches nothing (moby's
  // filters.Match skips what it cannot evaluate) instead of failing the whole list.
  return all.filter((c) => {
    try {
      return matches(c);
    } catch {
      return false;
    }
  });
}
