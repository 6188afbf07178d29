import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Logger } from '../../common/logger.js';
import { proxyToApi } from './api-proxy.js';
import { bridgeExec } from './exec-bridge.js';
import type { ConsoleSessions, Session } from './sessions.js';
import { serveAsset } from './static-assets.js';

// The web console's own listener: the built app, sign-in with a one-time token, and /api/* handed
// to berthd's API socket (the same handlers every Docker client uses: no second source of truth).

export interface ConsoleOptions {
  /** host:port */
  listen: string;
  tls?: { cert: string; key: string };
  /** berthd's unix socket, where /api/* goes. */
  apiSocket: string;
  assetsDir: string;
  sessions: ConsoleSessions;
  logger: Logger;
}

const COOKIE = 'berth_session';

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The sign-in token is in a URL: it must never travel on in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(listen);
  if (!m) throw new Error(`console listen address "${listen}" is not HOST:PORT`);
  return { host: m[1] || '0.0.0.0', port: Number(m[2]) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function page(title: string, text: string): string {
  return `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/app.css"><main class="notice"><h1>${title}</h1><p>${text}</p></main>`;
}

/** A request from another site's page: its Origin is not this console's. */
function foreignOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export class ConsoleServer {
  private server?: Server;
  /** ws is evaluated at the first terminal a browser opens, not at berthd's start. */
  private wss?: Promise<WebSocketServer>;

  constructor(private readonly o: ConsoleOptions) {}

  get secure(): boolean {
    return !!this.o.tls;
  }

  /** The address a sign-in link points at. */
  origin(): string {
    const { host, port } = parseListen(this.o.listen);
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `${this.secure ? 'https' : 'http'}://${shown}:${port}`;
  }

  async start(): Promise<void> {
    const { host, port } = parseListen(this.o.listen);
    if (!this.o.tls && !isLoopback(host)) {
      throw new Error(`the console listens on ${this.o.listen}, which is not a loopback address: it needs TLS ("console": {"tlscert": …, "tlskey": …})`);
    }
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        this.o.logger.error({ err }, 'console request failed');
        if (!res.headersSent) send(res, 500, { message: 'internal error' });
        else res.destroy();
      });
    };
    this.server = this.o.tls
      ? createHttpsServer({ cert: readFileSync(this.o.tls.cert), key: readFileSync(this.o.tls.key), minVersion: 'TLSv1.2' }, handler)
      : createHttpServer(handler);
    this.server.headersTimeout = 20_000;
    this.server.requestTimeout = 0;
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(port, host, resolve));
    this.o.logger.info({ listen: this.o.listen, tls: this.secure }, 'console listening');
  }

  async close(): Promise<void> {
    if (this.wss) for (const c of (await this.wss).clients) c.terminate();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private sockets(): Promise<WebSocketServer> {
    this.wss ??= import('ws').then(({ WebSocketServer }) => new WebSocketServer({ noServer: true, maxPayload: 1 << 20 }));
    return this.wss;
  }

  private session(req: IncomingMessage): Session | undefined {
    return this.o.sessions.get(cookieOf(req, COOKIE));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const path = url.pathname;
    const address = req.socket.remoteAddress ?? '';
    if (path === '/login') return this.login(url, address, res);
    if (path === '/session') {
      const s = this.session(req);
      return s ? send(res, 200, { role: s.role, csrf: s.csrf }) : send(res, 401, { message: 'not signed in' });
    }
    if (path === '/logout' && req.method === 'POST') {
      const s = this.session(req);
      if (!s || !this.o.sessions.checkCsrf(s, header(req, 'x-csrf-token'))) return send(res, 403, { message: 'missing or wrong CSRF token' });
      this.o.sessions.signOut(s.id);
      return send(res, 204, '', { 'Set-Cookie': this.cookie('', 0) });
    }
    if (path.startsWith('/api/')) {
      const s = this.session(req);
      if (!s) return send(res, 401, { message: 'not signed in: run `berth console token` for a sign-in link' });
      const reading = req.method === 'GET' || req.method === 'HEAD';
      if (!reading) {
        if (foreignOrigin(req) || !this.o.sessions.checkCsrf(s, header(req, 'x-csrf-token'))) {
          return send(res, 403, { message: 'missing or wrong CSRF token' });
        }
        if (s.role === 'readonly') return send(res, 403, { message: 'this session is read-only' });
      }
      return proxyToApi(req, res, this.o.apiSocket, path.slice(4) + url.search);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { message: 'method not allowed' });
    if (!serveAsset(this.o.assetsDir, path, req, res, SECURITY_HEADERS)) send(res, 404, page('Not found', 'No such page.'));
  }

  private login(url: URL, address: string, res: ServerResponse): void {
    if (this.o.sessions.limited(address)) {
      return send(res, 429, page('Too many tries', 'Too many wrong sign-in links from this address: wait a minute.'), { 'Retry-After': '60' });
    }
    const session = this.o.sessions.signIn(url.searchParams.get('token') ?? '', address);
    if (!session) {
      return send(res, 401, page('Sign-in link not valid', 'This link was used already, has expired or is mistyped. Run <code>berth console token</code> on the server for a new one.'));
    }
    // Redirect so the token leaves the address bar and the history.
    send(res, 303, '', { Location: '/', 'Set-Cookie': this.cookie(session.id, Math.floor(this.o.sessions.sessionTtlMs / 1000)) });
  }

  private cookie(value: string, maxAge: number): string {
    return `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${this.secure ? '; Secure' : ''}`;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://console');
    const m = /^\/ws\/exec\/([^/]+)$/.exec(url.pathname);
    const s = this.session(req);
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!m) return refuse('404 Not Found');
    if (!s) return refuse('401 Unauthorized');
    // Browsers send no custom headers on a WebSocket: the CSRF token comes in the query.
    if (foreignOrigin(req) || !this.o.sessions.checkCsrf(s, url.searchParams.get('csrf') ?? undefined)) return refuse('403 Forbidden');
    if (s.role === 'readonly') return refuse('403 Forbidden');
    void this.sockets().then(
      (wss) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          const size = { cols: Number(url.searchParams.get('cols')) || 80, rows: Number(url.searchParams.get('rows')) || 24 };
          bridgeExec(ws, this.o.apiSocket, decodeURIComponent(m[1]!), url.searchParams.get('cmd') || 'sh', size, this.o.logger);
        }),
      () => socket.destroy(),
    );
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
