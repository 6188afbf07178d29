import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { InvalidArgumentError, SystemError } from '../../common/errors.js';
import type { PortMapping } from './network-types.js';
import type { PortMap, PortSet } from '../../common/docker-types/container-config.js';

/** Docker's HostConfig.PortBindings ({"80/tcp": [{HostIp: "", HostPort: "8080"}]}) and
 * Config.ExposedPorts ({"80/tcp": {}}), under the names the network code uses. */
export type PortBindings = PortMap;
export type ExposedPorts = PortSet;

type Proto = PortMapping['proto'];

/** Parses Docker's "80/tcp" port key. */
export function parsePortKey(key: string): { port: number; proto: Proto } {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new InvalidArgumentError(`invalid port specification: "${key}"`);
  return { port: Number(m[1]), proto: (m[2] ?? 'tcp') as Proto };
}

function parseRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const lo = Number(m?.[1]);
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 0 || hi > 65535 || hi < lo) throw new InvalidArgumentError(`invalid ${what}: ${text}`);
  return [lo, hi];
}

/**
 * Parses the CLI's `-p [ip:][hostPort[-end]:]containerPort[-end][/proto]` into Docker's
 * ExposedPorts and PortBindings (the API shape), expanding ranges as the docker CLI does.
 */
export function parsePublishSpecs(specs: string[]): { exposedPorts: ExposedPorts; portBindings: PortBindings } {
  const exposedPorts: ExposedPorts = {};
  const portBindings: PortBindings = {};
  for (const spec of specs) {
    const [rest, protoText] = spec.split('/') as [string, string | undefined];
    const proto = (protoText ?? 'tcp').toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new InvalidArgumentError(`invalid proto: ${proto}`);
    let hostIp = '';
    let hostPart = '';
    let ctrPart: string;
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    const parts = v6 ? [v6[1]!, ...v6[2]!.split(':')] : rest.split(':');
    if (parts.length === 1) ctrPart = parts[0]!;
    else if (parts.length === 2) [hostPart, ctrPart] = parts as [string, string];
    else if (parts.length === 3) [hostIp, hostPart, ctrPart] = parts as [string, string, string];
    else throw new InvalidArgumentError(`invalid port format for --publish: ${spec}`);
    if (ctrPart === '') throw new InvalidArgumentError(`no port specified: ${spec}<empty>`);
    const [cLo, cHi] = parseRange(ctrPart, 'containerPort');
    const [hLo, hHi] = hostPart === '' ? [0, 0] : parseRange(hostPart, 'hostPort');
    const count = cHi - cLo + 1;
    if (hostPart !== '' && hHi - hLo + 1 !== count && count !== 1) {
      throw new InvalidArgumentError(`invalid ranges specified for container and host Ports: ${ctrPart} and ${hostPart}`);
    }
    for (let i = 0; i < count; i++) {
      const key = `${cLo + i}/${proto}`;
      exposedPorts[key] = {};
      let hostPort = '';
      if (hostPart !== '') hostPort = count === 1 && hHi !== hLo ? `${hLo}-${hHi}` : String(hLo + i);
      (portBindings[key] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
    }
  }
  return { exposedPorts, portBindings };
}

interface Reservation {
  owner: string;
  proto: Proto;
  hostIp: string;
  port: number;
  handle: Server | UdpSocket | null;
}

/**
 * Host ports of published container ports. The traffic itself goes through DNAT rules (see
 * firewall.ts), so no process runs per port; berthd only holds a listening socket on each host
 * port so nothing else on the host can take it while the container has it, and so a port already
 * used by a host process is refused with Docker's userland-proxy error.
 */
export class PortPublisher {
  private readonly reservations: Reservation[] = [];

  /**
   * Picks and holds host ports for a container's bindings (plus random ones for exposed ports
   * with publishAll). All or nothing: on error every port taken by this call is released.
   */
  async reserve(opts: {
    owner: string;
    endpointName: string;
    endpointId: string;
    containerIp: string;
    portBindings: PortBindings;
    exposedPorts: ExposedPorts;
    publishAll: boolean;
  }): Promise<PortMapping[]> {
    const wanted: { proto: Proto; containerPort: number; hostIp: string; hostPort: string }[] = [];
    for (const [key, list] of Object.entries(opts.portBindings)) {
      const { port, proto } = parsePortKey(key);
      for (const b of list?.length ? list : [{}]) {
        wanted.push({ proto, containerPort: port, hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' });
      }
    }
    if (opts.publishAll) {
      for (const key of Object.keys(opts.exposedPorts)) {
        if (opts.portBindings[key]?.length) continue;
        const { port, proto } = parsePortKey(key);
        wanted.push({ proto, containerPort: port, hostIp: '', hostPort: '' });
      }
    }
    const taken: PortMapping[] = [];
    try {
      for (const w of wanted) {
        if (w.hostIp.includes(':')) continue; // IPv6 host addresses: no IPv6 on berth's bridges yet
        const hostIp = w.hostIp === '0.0.0.0' ? '' : w.hostIp;
        const hostPort = await this.take(opts, w.proto, hostIp, w.hostPort);
        taken.push({ proto: w.proto, hostIp, hostPort, containerIp: opts.containerIp, containerPort: w.containerPort });
      }
    } catch (err) {
      this.release(opts.owner);
      throw err;
    }
    return taken;
  }

  /** Holds already-programmed ports again (berthd restarted while containers kept running). */
  async restore(owner: string, ports: PortMapping[]): Promise<void> {
    for (const p of ports) {
      if (this.conflict(p.proto, p.hostIp, p.hostPort)) continue;
      const handle = await listen(p.proto, p.hostIp, p.hostPort).catch(() => null);
      this.reservations.push({ owner, proto: p.proto, hostIp: p.hostIp, port: p.hostPort, handle });
    }
  }

  release(owner: string): void {
    for (let i = this.reservations.length - 1; i >= 0; i--) {
      const r = this.reservations[i]!;
      if (r.owner !== owner) continue;
      closeHandle(r.handle);
      this.reservations.splice(i, 1);
    }
  }

  releaseAll(): void {
    for (const r of this.reservations) closeHandle(r.handle);
    this.reservations.length = 0;
  }

  private async take(
    opts: { owner: string; endpointName: string; endpointId: string },
    proto: Proto,
    hostIp: string,
    hostPort: string,
  ): Promise<number> {
    const shown = `${hostIp || '0.0.0.0'}`;
    const prefix = `driver failed programming external connectivity on endpoint ${opts.endpointName} (${opts.endpointId})`;
    if (hostPort === '' || hostPort === '0') {
      // Port 0: the kernel picks a free port of the ephemeral range (ip_local_port_range), as Docker does.
      const handle = await listen(proto, hostIp, 0);
      const port = boundPort(handle);
      this.reservations.push({ owner: opts.owner, proto, hostIp, port, handle });
      return port;
    }
    const [lo, hi] = parseRange(hostPort, 'hostPort');
    let lastErr: Error | undefined;
    for (let port = lo; port <= hi; port++) {
      if (this.conflict(proto, hostIp, port)) {
        lastErr = new SystemError(`${prefix}: Bind for ${shown}:${port} failed: port is already allocated`);
        continue;
      }
      try {
        const handle = await listen(proto, hostIp, port);
        this.reservations.push({ owner: opts.owner, proto, hostIp, port, handle });
        return port;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === 'EADDRINUSE' ? 'bind: address already in use' : code === 'EADDRNOTAVAIL' ? 'bind: cannot assign requested address' : (err as Error).message;
        const net = proto === 'udp' ? 'udp4' : 'tcp4';
        lastErr = new SystemError(`${prefix}: Error starting userland proxy: listen ${net} ${shown}:${port}: ${reason}`);
      }
    }
    throw lastErr!;
  }

  private conflict(proto: Proto, hostIp: string, port: number): boolean {
    return this.reservations.some(
      (r) => r.proto === proto && r.port === port && (r.hostIp === '' || hostIp === '' || r.hostIp === hostIp),
    );
  }
}

function listen(proto: Proto, hostIp: string, port: number): Promise<Server | UdpSocket> {
  const host = hostIp || '0.0.0.0';
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind({ address: host, port, exclusive: true }, () => {
        s.off('error', reject);
        s.on('error', () => {});
        s.on('message', () => {});
        s.unref();
        resolve(s);
      });
      return;
    }
    // sctp cannot be held from node; tcp stands in so the port number is still kept.
    // A client that arrives before the DNAT rule is refused at once (RST); a full backlog would
    // drop its SYN instead and cost it a 1 s retransmit.
    const srv = createServer((sock) => sock.resetAndDestroy());
    srv.once('error', reject);
    srv.listen({ host, port, exclusive: true, backlog: 511 }, () => {
      srv.off('error', reject);
      srv.unref();
      resolve(srv);
    });
  });
}

function boundPort(h: Server | UdpSocket): number {
  const addr = 'address' in h && typeof h.address === 'function' ? h.address() : null;
  return typeof addr === 'object' && addr ? addr.port : 0;
}

function closeHandle(h: Server | UdpSocket | null): void {
  try {
    h?.close();
  } catch {
    // already closed
  }
}
