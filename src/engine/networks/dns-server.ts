import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../common/logger.js';
import { decodeQuery, encodeReply, QTYPE_A, QTYPE_AAAA, RCODE_NOERROR, RCODE_NXDOMAIN, RCODE_SERVFAIL } from './dns-message.js';

/** What the server asks the network service for each query. */
export interface DnsResolverBackend {
  /** Addresses of a container name/alias on the network; undefined when the name is not a container's. */
  lookup(networkId: string, name: string, clientIp: string): string[] | undefined;
  /** Upstream resolvers for a client of the network (its --dns, else the host's). Empty: no forwarding. */
  upstreams(networkId: string, clientIp: string): string[];
}

interface Listener {
  udp: UdpSocket;
  tcp: Server;
}

const FORWARD_TIMEOUT_MS = 3000;

/**
 * berth's embedded DNS server. For each user-defined network berthd listens on the network's
 * gateway address, port 53 (UDP and TCP), and containers get that address as their nameserver.
 * Names of containers on the same network are answered here; other names are forwarded from the
 * host side to upstream resolvers, so loopback resolvers of the host (127.0.0.53) work too.
 */
export class DnsServer {
  private readonly listeners = new Map<string, Listener>();

  constructor(
    private readonly backend: DnsResolverBackend,
    private readonly logger: Logger,
    private readonly port = 53,
  ) {}

  async listen(networkId: string, address: string): Promise<void> {
    if (this.listeners.has(networkId)) return;
    const udp = createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      void this.answer(networkId, msg, rinfo.address).then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address, port: this.port, exclusive: true }, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', (err) => this.logger.warn({ err, networkId }, 'dns udp socket error'));
    const tcp = createServer((sock) => this.serveTcp(networkId, sock));
    await new Promise<void>((resolve) => {
      tcp.once('error', (err) => {
        this.logger.warn({ err, address }, 'dns over tcp unavailable');
        resolve();
      });
      tcp.listen({ host: address, port: this.port, exclusive: true }, () => resolve());
    });
    udp.unref();
    tcp.unref();
    this.listeners.set(networkId, { udp, tcp });
  }

  close(networkId: string): void {
    const l = this.listeners.get(networkId);
    if (!l) return;
    this.listeners.delete(networkId);
    l.udp.close();
    l.tcp.close();
  }

  closeAll(): void {
    for (const id of [...this.listeners.keys()]) this.close(id);
  }

  /** The reply to one query message, or undefined to stay silent (not a query). */
  async answer(networkId: string, msg: Buffer, clientIp: string): Promise<Buffer | undefined> {
    const q = decodeQuery(msg);
    if (!q) return undefined;
    const name = q.name.toLowerCase().replace(/\.$/, '');
    const local = this.backend.lookup(networkId, name, clientIp);
    if (local) {
      if (q.qtype === QTYPE_A) return encodeReply(msg, q, RCODE_NOERROR, local);
      // A container name without IPv6: an empty answer, so resolvers do not look elsewhere.
      if (q.qtype === QTYPE_AAAA) return encodeReply(msg, q, RCODE_NOERROR);
    }
    const upstreams = this.backend.upstreams(networkId, clientIp);
    if (!upstreams.length) return encodeReply(msg, q, local ? RCODE_NOERROR : RCODE_NXDOMAIN);
    for (const server of upstreams) {
      const reply = await forwardUdp(msg, server).catch(() => undefined);
      if (reply) return reply;
    }
    return encodeReply(msg, q, RCODE_SERVFAIL);
  }

  private serveTcp(networkId: string, sock: Socket): void {
    let buf = Buffer.alloc(0);
    sock.on('error', () => {});
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.answer(networkId, msg, sock.remoteAddress?.replace(/^::ffff:/, '') ?? '').then((reply) => {
          if (!reply || sock.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([head, reply]));
        });
      }
    });
  }
}

function forwardUdp(msg: Buffer, server: string): Promise<Buffer> {
  const [host, portText] = server.includes(']:') ? [server.slice(1, server.indexOf(']')), server.split(']:')[1]] : [server, undefined];
  const sock = createSocket(host!.includes(':') ? 'udp6' : 'udp4');
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('timeout'));
    }, FORWARD_TIMEOUT_MS);
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.on('message', (reply) => {
      if (reply.length < 2 || reply.readUInt16BE(0) !== msg.readUInt16BE(0)) return;
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    });
    sock.send(msg, Number(portText ?? 53), host);
  });
}
