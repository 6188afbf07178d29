import type { IncomingMessage, RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { ContainersApi, ExecApi } from './containers-api.js';
import { ImagesApi } from './images-api.js';
import { messageOf, readAll } from './response-body.js';
import { parseSshHost, sshConnect } from './ssh-connection.js';
import { BerthApi, SystemApi } from './system-api.js';
import { NetworksApi, VolumesApi } from './volumes-networks-api.js';

export { readAll, readJsonLines } from './response-body.js';
export type * from './api-types.js';
export type { GateQuery } from './system-api.js';

// A small Docker Engine API client on node:http. The CLI and the tests use it; it speaks to berthd
// or to any Docker-compatible daemon. node:http and node:https are taken when a client is made, not
// at import: the CLI's startup snapshot cannot hold them (Node 20), and `berth --version` needs neither.
const http = (): typeof import('node:http') => process.getBuiltinModule('node:http');
const https = (): typeof import('node:https') => process.getBuiltinModule('node:https');

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The daemon could not be reached at all (socket missing, connection refused). */
export class ConnectionError extends Error {
  constructor(
    readonly host: string,
    override readonly cause: Error,
  ) {
    super(`Cannot connect to the berth daemon at ${host}. Is the berth daemon running?`);
  }
}

export type Query = Record<string, string | number | boolean | undefined | null | object>;

export interface RequestOpts {
  query?: Query;
  body?: unknown;
  /** Raw body (a tar stream, for example) instead of JSON. */
  rawBody?: NodeJS.ReadableStream | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function encodeQuery(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    const s = typeof v === 'object' ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Query parameters in order, a key possibly repeated; an undefined value is left out. */
export type QueryPairs = [string, string | undefined][];

/** A query string with repeated keys (`changes`, `names`, `t`), which `encodeQuery` cannot write. */
export function encodeQueryPairs(params: QueryPairs): string {
  const parts = params.filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** TLS to a tcp:// daemon: the CA to trust, the client certificate, whether the server is verified. */
export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  verify: boolean;
}

const CONNECT_ERRORS = ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT'];

/** A TLS failure in the words docker uses, instead of OpenSSL's raw line or a bare "socket hang up". */
export function tlsFailure(err: NodeJS.ErrnoException, host: string): Error {
  const alert = /alert ([a-z ]+?)(?::|$)/.exec(err.message)?.[1];
  if (alert) return new Error(`error during connect: ${host}: remote error: tls: ${alert.trim()}`);
  if (err.code === 'ECONNRESET' || err.message === 'socket hang up') {
    return new Error(
      `error during connect: ${host}: the daemon closed the TLS connection: is the client certificate signed by the daemon's CA, and still valid?`,
    );
  }
  if (/certificate|self[- ]signed|CERT_|UNABLE_TO/i.test(`${err.code ?? ''} ${err.message}`)) {
    return new Error(`error during connect: ${host}: tls: failed to verify the daemon's certificate: ${err.message}`);
  }
  return err;
}

export class ApiClient {
  private readonly base: RequestOptions;
  private readonly send: (typeof import('node:http'))['request'];
  private readonly tls: boolean;
  private readonly tlsAgent?: HttpsAgent;
  /** The typed endpoints, by resource: what the CLI calls instead of building URLs. */
  readonly containers = new ContainersApi(this);
  readonly exec = new ExecApi(this);
  readonly images = new ImagesApi(this);
  readonly volumes = new VolumesApi(this);
  readonly networks = new NetworksApi(this);
  readonly system = new SystemApi(this);
  readonly berth = new BerthApi(this);

  constructor(
    readonly host: string = DEFAULT_HOST,
    readonly version?: string,
    tls?: ClientTls,
  ) {
    const url = new URL(host.includes('://') ? host : `tcp://${host}`);
    this.send = http().request;
    this.tls = false;
    // An empty servername spares the agent an isIP() on every request (it only matters for TLS).
    if (url.protocol === 'unix:') this.base = { socketPath: url.pathname, servername: '' } as RequestOptions;
    else if (url.protocol === 'ssh:') {
      const target = parseSshHost(host);
      // One ssh process per connection, as the docker CLI does; it ends with the connection.
      this.base = { host: 'api.berth', createConnection: () => sshConnect(target) as never };
    } else if (tls) {
      const hostname = url.hostname.replace(/^\[|\]$/g, '');
      this.send = https().request;
      this.tls = true;
      const agent = new (https().Agent)({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify, minVersion: 'TLSv1.2' });
      this.tlsAgent = agent;
      this.base = { host: hostname, port: Number(url.port || 2376), agent };
    } else {
      this.base = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375) };
    }
  }

  private path(p: string, q?: Query): string {
    return `${this.version ? `/v${this.version}` : ''}${p}${encodeQuery(q)}`;
  }

  /** Sends a request; resolves with the response stream whatever its status. */
  request(method: string, path: string, opts: RequestOpts = {}): Promise<IncomingMessage> {
    const headers: Record<string, string> = { ...opts.headers };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = 'application/json';
    } else if (Buffer.isBuffer(opts.rawBody)) {
      payload = opts.rawBody;
    }
    if (payload) headers['Content-Length'] = String(payload.length);
    return new Promise((resolve, reject) => {
      const req = this.send({ ...this.base, method, path: this.path(path, opts.query), headers, signal: opts.signal }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (CONNECT_ERRORS.includes(err.code ?? '')) reject(new ConnectionError(this.host, err));
        else reject(this.tls ? tlsFailure(err, this.host) : err);
      });
      if (opts.rawBody && !Buffer.isBuffer(opts.rawBody)) opts.rawBody.pipe(req);
      else req.end(payload);
    });
  }

  /** A request whose answer is JSON (or empty); a status ≥ 400 throws ApiError with the daemon's message. */
  async call<T = unknown>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw new ApiError(res.statusCode ?? 500, messageOf(text));
    if (text.length === 0) return undefined as T;
    const type = String(res.headers['content-type'] ?? '');
    return (type.includes('json') ? JSON.parse(text.toString('utf8')) : text.toString('utf8')) as T;
  }

  /** A streaming request: throws on error status, otherwise hands back the open response. */
  async stream(method: string, path: string, opts: RequestOpts = {}): Promise<IncomingMessage> {
    const res = await this.request(method, path, opts);
    if ((res.statusCode ?? 500) >= 400) throw new ApiError(res.statusCode ?? 500, messageOf(await readAll(res)));
    return res;
  }

  /** Upgrades the connection (attach, exec start): resolves with the raw two-way socket. */
  hijack(path: string, opts: { query?: Query; body?: unknown } = {}): Promise<{ socket: Duplex; contentType: string }> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { Connection: 'Upgrade', Upgrade: 'tcp' };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      // A hijacked connection leaves the agent: it must be a fresh one, never a pooled one.
      const base = this.tlsAgent ? { ...this.base, agent: new (https().Agent)({ ...this.tlsAgent.options, keepAlive: false }) } : this.base;
      const req = this.send({ ...base, method: 'POST', path: this.path(path, opts.query), headers });
      req.on('upgrade', (res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve({ socket, contentType: String(res.headers['content-type'] ?? '') });
      });
      req.on('response', async (res) => {
        const text = await readAll(res);
        if ((res.statusCode ?? 500) >= 400) reject(new ApiError(res.statusCode ?? 500, messageOf(text)));
        else reject(new ApiError(res.statusCode ?? 500, `unexpected response to upgrade: ${res.statusCode}`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (CONNECT_ERRORS.includes(err.code ?? '')) reject(new ConnectionError(this.host, err));
        else reject(this.tls ? tlsFailure(err, this.host) : err);
      });
      req.end(payload);
    });
  }
}
