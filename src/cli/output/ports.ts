// The PORTS column of `docker ps` (docker/cli formatter.DisplayablePorts): unpublished ports and
// ports published on the same number are grouped into ranges per type and address.

/** One entry of the API's container summary Ports list. */
export interface ApiPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function comparePorts(a: ApiPort, b: ApiPort): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  const ipA = a.IP ?? '';
  const ipB = b.IP ?? '';
  if (ipA !== ipB) return ipA < ipB ? -1 : 1;
  const pubA = a.PublicPort ?? 0;
  const pubB = b.PublicPort ?? 0;
  if (pubA !== pubB) return pubA - pubB;
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(ip: string, type: string, first: number, last: number): string {
  let group = String(first);
  if (first !== last) group += `-${last}`;
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}

export function displayablePorts(ports: readonly ApiPort[]): string {
  const groups = new Map<string, { ip: string; type: string; first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.PrivatePort;
    const ip = port.IP ?? '';
    if (ip !== '' && (port.PublicPort ?? 0) !== current) {
      hostMappings.push(`${joinHostPort(ip, String(port.PublicPort ?? 0))}->${current}/${port.Type}`);
      continue;
    }
    const key = ip === '' ? port.Type : `${ip}/${port.Type}`;
    const group = groups.get(key);
    if (group && current === group.last + 1) {
      group.last = current;
      continue;
    }
    if (group) result.push(formGroup(group.ip, group.type, group.first, group.last));
    // Re-setting a key keeps its first-insertion position, as docker's key list does.
    groups.set(key, { ip, type: port.Type, first: current, last: current });
  }
  for (const g of groups.values()) result.push(formGroup(g.ip, g.type, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}
