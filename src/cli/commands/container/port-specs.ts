import type { PortBinding as DockerPortBinding } from '../../../common/docker-types/container-config.js';

// `-p`/`--publish` and `--expose` syntaxes, as Docker's go-connections/nat parses them.

/** nat.PortBinding as the CLI sends it: both parts, empty when not given. */
export type PortBinding = Required<DockerPortBinding>;

export interface PortMap {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
}

function parseRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new Error(`invalid ${what}: ${text}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) throw new Error(`invalid ${what}: ${text}`);
  return [start, end];
}

function splitProto(raw: string): [string, string] {
  const slash = raw.lastIndexOf('/');
  if (slash < 0) return [raw, 'tcp'];
  const proto = raw.slice(slash + 1).toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`);
  return [raw.slice(0, slash), proto];
}

/** Splits `ip:host:container`, keeping a bracketed IPv6 host address whole. */
function splitPublish(spec: string): [string, string, string] {
  let ip = '';
  let rest = spec;
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(spec);
  if (v6) {
    ip = v6[1]!;
    rest = v6[2]!;
    const [host, container] = rest.split(':');
    if (container === undefined) throw new Error(`invalid port format: ${spec}`);
    return [ip, host!, container];
  }
  const parts = rest.split(':');
  if (parts.length === 1) return ['', '', parts[0]!];
  if (parts.length === 2) return ['', parts[0]!, parts[1]!];
  if (parts.length === 3) return [parts[0]!, parts[1]!, parts[2]!];
  // An unbracketed IPv6 address: everything but the last two parts.
  return [parts.slice(0, -2).join(':'), parts[parts.length - 2]!, parts[parts.length - 1]!];
}

/** Adds one `-p` value to the map, expanding ranges the way Docker does. */
export function addPublishSpec(map: PortMap, raw: string): void {
  const [addr, proto] = splitProto(raw);
  const [hostIp, hostPart, containerPart] = splitPublish(addr);
  if (!containerPart) throw new Error(`no port specified: ${raw}<empty>`);
  const [start, end] = parseRange(containerPart, 'containerPort');
  const [hostStart, hostEnd] = hostPart ? parseRange(hostPart, 'hostPort') : [0, 0];
  if (hostPart && end - start !== hostEnd - hostStart && end !== start) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
  }
  for (let i = 0; i <= end - start; i++) {
    const key = `${start + i}/${proto}`;
    let hostPort = hostPart ? String(hostStart + i) : '';
    if (start === end && hostStart !== hostEnd) hostPort = `${hostPort}-${hostEnd}`;
    map.exposed[key] = {};
    (map.bindings[key] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
  }
}

/** Adds one `--expose` value (`80`, `8000-8010/udp`). */
export function addExposeSpec(map: PortMap, raw: string): void {
  const [ports, proto] = splitProto(raw);
  const [start, end] = parseRange(ports, 'range format for --expose');
  for (let p = start; p <= end; p++) map.exposed[`${p}/${proto}`] = {};
}
