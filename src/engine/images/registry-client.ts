import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { SystemError, UnauthorizedError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { basicHeader, credentials, parseChallenges, TokenCache, type AuthConfig, type Challenge } from './registry-auth.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { registryRequest as request, undici } from './registry-transport.js';
import { DEFAULT_DOMAIN, fullName, registryHost, type ImageReference } from './reference.js';

// A client of the distribution (OCI) registry API: endpoint choice (for Docker Hub the mirrors
// first, then Hub itself, falling back per pull as dockerd does; HTTP for insecure registries),
// the auth dance, manifests, and blob streams that resume with Range.

export interface RegistryClientOptions {
  insecureRegistries: string[];
  mirrors: string[];
  logger: Logger;
  /** Attempts per blob download on network errors and 5xx. */
  retries?: number;
  /** Where Docker Hub itself is asked after its mirrors (tests point it at a local registry). */
  officialRegistry?: string;
}

export interface Endpoint {
  /** scheme://host[:port][/prefix] with no trailing slash */
  base: string;
  mirror: boolean;
}

/** An error the registry answered with, in Docker's wording (`manifest unknown: manifest unknown`). */
export class RegistryError extends SystemError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code.toLowerCase().replace(/_/g, ' ')}: ${detail}`);
  }
}

export interface FetchedManifest {
  mediaType: string;
  digest: string | undefined;
  body: Buffer;
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(0, hostPort.indexOf(']') + 1);
  const i = hostPort.lastIndexOf(':');
  return i > -1 && hostPort.indexOf(':') === i ? hostPort.slice(0, i) : hostPort;
}

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(ip) !== 4 || isIP(net ?? '') !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const n = (s: string): number => s.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((n(ip) & mask) >>> 0) === ((n(net!) & mask) >>> 0);
}

/** Whether to talk plain HTTP to a registry: loopback always, as Docker does, plus the configured list. */
export function isInsecureRegistry(hostPort: string, insecure: readonly string[]): boolean {
  const host = hostOnly(hostPort);
  if (LOOPBACK_HOSTS.has(host) || ipv4InCidr(host, '127.0.0.0/8')) return true;
  for (const entry of insecure) {
    const e = entry.replace(/^[a-z]+:\/\//, '').replace(/\/$/, '');
    if (e === hostPort || e === host) return true;
    if (e.includes('/') && ipv4InCidr(host, e)) return true;
  }
  return false;
}

function systemCa(): string | undefined {
  try {
    return readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
  } catch {
    return undefined;
  }
}

const GO_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  ECONNRESET: 'read: connection reset by peer',
  ETIMEDOUT: 'i/o timeout',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
};

/** Words a network error the way Go's net/http does, which is what Docker users see. */
function networkError(method: string, url: string, err: unknown): SystemError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code ?? '';
  const u = new URL(url);
  const verb = method[0] + method.slice(1).toLowerCase();
  let text: string;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') text = `dial tcp: lookup ${u.hostname}: no such host`;
  else if (GO_ERRNO[code]) {
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    text = `dial tcp ${u.hostname}:${port}: ${GO_ERRNO[code]}`;
  } else text = e.message;
  return new SystemError(`${verb} "${url}": ${text}`, { cause: err });
}

function retryable(err: unknown): boolean {
  if (err instanceof RegistryError) return err.status >= 500;
  if (err instanceof UnauthorizedError) return false;
  return err instanceof SystemError && err.cause !== undefined;
}

async function registryError(res: Dispatcher.ResponseData): Promise<RegistryError> {
  const text = await res.body.text().catch(() => '');
  try {
    const doc = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = doc.errors?.[0];
    if (first?.code) return new RegistryError(res.statusCode, first.code, first.message ?? '');
  } catch {
    // not JSON: fall through
  }
  const code = res.statusCode === 401 ? 'UNAUTHORIZED' : res.statusCode === 404 ? 'NOT_FOUND' : 'UNKNOWN';
  return new RegistryError(res.statusCode, code, text.trim() || `unexpected status ${res.statusCode}`);
}

export class RegistryClient {
  private transport: Promise<Dispatcher> | undefined;
  private readonly tokens = new TokenCache();
  /** Challenges from /v2/ per endpoint base; null when the registry needs no auth. */
  private readonly pings = new Map<string, Challenge[] | null>();

  constructor(private readonly opts: RegistryClientOptions) {}

  /** The connection pool every registry request goes through, made at the first one. */
  dispatcher(): Promise<Dispatcher> {
    this.transport ??= undici().then(({ Agent, interceptors }) => {
      const ca = systemCa();
      return new Agent({ connections: 16, keepAliveTimeout: 30_000, connect: ca ? { ca } : {} }).compose(interceptors.redirect({ maxRedirections: 5 }));
    });
    return this.transport;
  }

  /** Where to look for a repository of `domain`: for Docker Hub each mirror first, then the registry itself. */
  endpoints(domain: string): Endpoint[] {
    const hub = domain === DEFAULT_DOMAIN;
    const host = hub && this.opts.officialRegistry ? this.opts.officialRegistry : registryHost(domain);
    const scheme = isInsecureRegistry(host, this.opts.insecureRegistries) ? 'http' : 'https';
    const mirrors = hub ? this.opts.mirrors.map((m) => ({ base: m.replace(/\/+$/, ''), mirror: true })) : [];
    return [...mirrors, { base: `${scheme}://${host}`, mirror: false }];
  }

  repository(ref: ImageReference, auth?: AuthConfig, actions = 'pull'): Repository {
    return new Repository(this, this.endpoints(ref.domain), fullName(ref).slice(ref.domain.length + 1), auth, actions, this.opts);
  }

  /** Checks credentials against a registry's /v2/ (what `docker login` does). */
  async login(domain: string, auth: AuthConfig): Promise<void> {
    const ep = this.endpoints(domain).find((e) => !e.mirror)!;
    this.pings.delete(ep.base);
    const challenges = await this.ping(ep);
    if (!challenges) return;
    const url = `${ep.base}/v2/`;
    const headers = await this.authorize(challenges, '', auth);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { headers, dispatcher: await this.dispatcher() });
    } catch (err) {
      throw networkError('GET', url, err);
    }
    await res.body.dump();
    if (res.statusCode === 401) throw new UnauthorizedError(`login attempt to ${url} failed with status: 401 Unauthorized`);
  }

  async ping(ep: Endpoint): Promise<Challenge[] | null> {
    const known = this.pings.get(ep.base);
    if (known !== undefined) return known;
    const url = `${ep.base}/v2/`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { dispatcher: await this.dispatcher() });
    } catch (err) {
      throw networkError('GET', url, err);
    }
    await res.body.dump();
    let result: Challenge[] | null = null;
    if (res.statusCode === 401) result = parseChallenges(res.headers['www-authenticate']);
    else if (res.statusCode >= 500 || res.statusCode === 404) {
      throw new SystemError(`Get "${url}": unexpected status ${res.statusCode}`);
    }
    this.pings.set(ep.base, result);
    return result;
  }

  /** The Authorization header for a request to a registry that answered /v2/ with these challenges. */
  async authorize(challenges: Challenge[], scope: string, auth: AuthConfig | undefined, fresh = false): Promise<Record<string, string>> {
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      if (fresh) this.tokens.forget();
      return { authorization: `Bearer ${await this.tokens.token(await this.dispatcher(), bearer, scope, auth)}` };
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const creds = credentials(auth);
      if (!creds) throw new UnauthorizedError('no basic auth credentials');
      return { authorization: basicHeader(creds.username, creds.password) };
    }
    return {};
  }

  forgetPing(base: string): void {
    this.pings.delete(base);
  }

  async close(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    if (transport) await (await transport).close();
  }
}

export class Repository {
  private endpoint: Endpoint | undefined;

  constructor(
    private readonly client: RegistryClient,
    private readonly candidates: Endpoint[],
    /** Repository path inside the registry, e.g. library/nginx. */
    readonly path: string,
    private readonly auth: AuthConfig | undefined,
    private readonly actions: string,
    private readonly opts: RegistryClientOptions,
  ) {}

  private get scope(): string {
    return `repository:${this.path}:${this.actions}`;
  }

  /** Sends one request to an endpoint, doing the auth dance once if the registry asks for it. */
  private async send(
    ep: Endpoint,
    method: 'GET' | 'HEAD',
    suffix: string,
    extra: Record<string, string> = {},
  ): Promise<Dispatcher.ResponseData> {
    const url = `${ep.base}/v2/${this.path}/${suffix}`;
    for (let attempt = 0; ; attempt++) {
      const challenges = await this.client.ping(ep);
      let auth: Record<string, string> = {};
      try {
        if (challenges) auth = await this.client.authorize(challenges, this.scope, this.auth, attempt > 0);
      } catch (err) {
        // Not a 401 to our own client: the docker CLI would answer that with a login prompt.
        if (err instanceof UnauthorizedError) throw new SystemError(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${err.message}`);
        throw err;
      }
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method, headers: { ...extra, ...auth }, dispatcher: await this.client.dispatcher(), highWaterMark: 1 << 20 });
      } catch (err) {
        throw networkError(method, url, err);
      }
      if (res.statusCode === 401 && attempt === 0) {
        // The token expired, or the registry started asking for auth: ping again and retry once.
        await res.body.dump();
        this.client.forgetPing(ep.base);
        continue;
      }
      return res;
    }
  }

  /**
   * Runs `fn` against the endpoint in use, or each candidate in turn until one answers: a mirror
   * that is down, fails or lacks the repository hands over to the next one and then to the
   * registry itself, with dockerd's log line. The endpoint that answered serves the rest of the pull.
   */
  private async onEndpoint<T>(fn: (ep: Endpoint) => Promise<T>): Promise<T> {
    if (this.endpoint) return fn(this.endpoint);
    let lastErr: unknown;
    for (const ep of this.candidates) {
      try {
        const out = await fn(ep);
        this.endpoint = ep;
        return out;
      } catch (err) {
        lastErr = err;
        if (!ep.mirror) break;
        this.logFallback(ep, err);
      }
    }
    throw lastErr;
  }

  private logFallback(ep: Endpoint, err: unknown): void {
    this.opts.logger.info({ mirror: ep.base, repository: this.path, err: (err as Error).message }, `Attempting next endpoint for pull after error: ${(err as Error).message}`);
  }

  /** After a blob failed for good on a mirror: moves the rest of the pull to the next endpoint, if any. */
  private fallBackFrom(ep: Endpoint, err: unknown): boolean {
    const next = this.candidates[this.candidates.indexOf(ep) + 1];
    if (!ep.mirror || !next) return false;
    this.logFallback(ep, err);
    this.endpoint = next;
    return true;
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    return this.onEndpoint(async (ep) => {
      const res = await this.send(ep, 'GET', `manifests/${reference}`, { accept: MANIFEST_ACCEPT });
      if (res.statusCode !== 200) throw await registryError(res);
      const body = Buffer.from(await res.body.arrayBuffer());
      const ct = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
      let mediaType = ct;
      try {
        const doc = JSON.parse(body.toString('utf8')) as { mediaType?: string; schemaVersion?: number; manifests?: unknown };
        if (doc.mediaType) mediaType = doc.mediaType;
        else if (doc.schemaVersion === 1) mediaType = 'application/vnd.docker.distribution.manifest.v1+json';
        else if (!mediaType || mediaType === 'application/json') {
          mediaType = doc.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json';
        }
      } catch {
        throw new SystemError(`invalid manifest for ${reference}: not JSON`);
      }
      const digest = res.headers['docker-content-digest'];
      return { mediaType, digest: typeof digest === 'string' ? digest : undefined, body };
    });
  }

  async getBlob(digest: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.blob(digest)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /**
   * Streams a blob from `offset`, resuming with an HTTP Range request after network errors
   * and 5xx answers, so the consumer sees one uninterrupted byte stream.
   */
  async *blob(digest: string, offset = 0): AsyncGenerator<Buffer> {
    const retries = this.opts.retries ?? 5;
    let pos = offset;
    let failures = 0;
    for (;;) {
      let res: Dispatcher.ResponseData | undefined;
      let used: Endpoint | undefined;
      try {
        res = await this.onEndpoint(async (ep) => {
          used = ep;
          const r = await this.send(ep, 'GET', `blobs/${digest}`, pos > 0 ? { range: `bytes=${pos}-` } : {});
          if (r.statusCode !== 200 && r.statusCode !== 206) throw await registryError(r);
          return r;
        });
        // A server that ignores Range sends the whole blob again: skip what we have.
        let skip = res.statusCode === 200 ? pos : 0;
        if (res.statusCode === 200) pos = 0;
        for await (const raw of res.body) {
          let chunk = raw as Buffer;
          if (skip > 0) {
            if (chunk.length <= skip) {
              skip -= chunk.length;
              pos += chunk.length;
              continue;
            }
            pos += skip;
            chunk = chunk.subarray(skip);
            skip = 0;
          }
          pos += chunk.length;
          failures = 0;
          yield chunk;
        }
        return;
      } catch (err) {
        const wrapped = err instanceof SystemError || err instanceof UnauthorizedError ? err : networkError('GET', `blob ${digest}`, err);
        // A 416 is about the bytes we hold, not the mirror: the caller starts the blob over.
        const rangeRefused = wrapped instanceof RegistryError && wrapped.status === 416;
        if (!retryable(wrapped) || failures + 1 > retries) {
          if (!rangeRefused && used && this.fallBackFrom(used, wrapped)) {
            failures = 0;
            continue;
          }
          throw wrapped;
        }
        failures++;
        this.opts.logger.warn({ digest, pos, attempt: failures, err: (err as Error).message }, 'blob download failed, resuming');
        await sleep(100 * 2 ** (failures - 1));
      } finally {
        if (res && !res.body.destroyed) res.body.destroy();
      }
    }
  }

  async listTags(): Promise<string[]> {
    return this.onEndpoint(async (ep) => {
      const res = await this.send(ep, 'GET', 'tags/list');
      if (res.statusCode !== 200) throw await registryError(res);
      const doc = (await res.body.json()) as { tags?: string[] | null };
      return doc.tags ?? [];
    });
  }
}
