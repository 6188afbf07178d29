import { chmodSync, chownSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import type { Server, ServerOptions } from 'node:http';
import type { ServerOptions as TlsServerOptions } from 'node:https';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { ConflictError, InvalidArgumentError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { tlsMode, type DaemonConfig } from './config.js';

/** Open connections one tcp:// listener accepts; more are dropped until some close. */
export const TCP_MAX_CONNECTIONS = 1024;
/** A tcp connection that sends no request at all is closed after this. */
export const TCP_FIRST_REQUEST_MS = 20_000;

/**
 * Node's own timeouts start with the first byte of a request (headers) or after a response
 * (keep-alive): a client that connects and stays silent would hold its slot forever.
 */
function closeSilentConnections(server: Server, secure: boolean): void {
  const waiting = new WeakMap<object, NodeJS.Timeout>();
  server.on(secure ? 'secureConnection' : 'connection', (socket: { destroy(): void; once(e: string, f: () => void): void }) => {
    const timer = setTimeout(() => socket.destroy(), TCP_FIRST_REQUEST_MS);
    timer.unref();
    waiting.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  const started = (req: { socket: object }) => {
    clearTimeout(waiting.get(req.socket));
    waiting.delete(req.socket);
  };
  server.prependListener('request', started);
  server.prependListener('upgrade', started);
}

// TLS 1.2 with forward-secret AEAD suites only; TLS 1.3's own suites are all modern.
const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

function readTlsFile(kind: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InvalidArgumentError(`could not read ${kind} ${path}: ${(err as Error).message} (\`berth tls init\` makes it)`);
  }
}

export interface TcpServerOptions {
  http: ServerOptions;
  tls?: TlsServerOptions;
}

/**
 * How a tcp:// listener is served. A slow or idle client cannot hold it: the TLS handshake and the
 * request headers have deadlines, an idle keep-alive connection is closed, the number of
 * connections is capped. Bodies and responses have none, so logs -f, attach and events stay open.
 */
export function tcpServerOptions(config: DaemonConfig): TcpServerOptions {
  const http: ServerOptions = { requestTimeout: 0, headersTimeout: 20_000, keepAliveTimeout: 30_000, connectionsCheckingInterval: 5_000 };
  const mode = tlsMode(config);
  if (mode === 'off') return { http };
  const tls: TlsServerOptions = {
    cert: readTlsFile('TLS certificate', config.tlscert),
    key: readTlsFile('TLS key', config.tlskey),
    minVersion: 'TLSv1.2',
    ciphers: CIPHERS,
    honorCipherOrder: true,
    handshakeTimeout: 10_000,
    // A hijacked attach half-closes (stdin done) and still reads the output, as on the unix socket.
    allowHalfOpen: true,
  };
  if (mode === 'mutual') {
    tls.ca = readTlsFile('CA certificate', config.tlscacert);
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }
  return { http, tls };
}

function groupId(name: string): number | undefined {
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    return line ? Number(line.split(':')[2]) : undefined;
  } catch {
    return undefined;
  }
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Listens on each `hosts` entry; unix sockets get mode 0660 and the configured group. */
export async function listenAll(makeServer: (tcp: boolean) => Server, hosts: string[], group: string, logger: Logger): Promise<Server[]> {
  const servers: Server[] = [];
  for (const host of hosts) {
    const url = new URL(host);
    const server = makeServer(url.protocol === 'tcp:');
    if (url.protocol === 'unix:') {
      const path = url.pathname;
      mkdirSync(dirname(path), { recursive: true });
      if (await socketAnswers(path)) throw new ConflictError(`another daemon is already listening on ${path}`);
      try {
        unlinkSync(path);
      } catch {
        /* no stale socket */
      }
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
      chmodSync(path, 0o660);
      const gid = groupId(group);
      if (gid !== undefined) chownSync(path, 0, gid);
    } else if (url.protocol === 'tcp:') {
      const secure = 'setSecureContext' in server;
      const port = Number(url.port || (secure ? 2376 : 2375));
      server.maxConnections = TCP_MAX_CONNECTIONS;
      closeSilentConnections(server, secure);
      server.on('tlsClientError', (err: Error, socket: { remoteAddress?: string; destroy(): void }) => {
        logger.info({ remote: socket.remoteAddress, err: err.message }, 'TLS handshake refused');
        // A handshake that timed out leaves the socket open unless it is closed here.
        socket.destroy();
      });
      const hostname = url.hostname.replace(/^\[|\]$/g, '') || '0.0.0.0';
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, hostname, resolve));
    } else {
      throw new InvalidArgumentError(`unsupported host ${host}`);
    }
    logger.info({ host, tls: 'setSecureContext' in server }, 'API listening');
    servers.push(server);
  }
  return servers;
}
