import type { Dispatcher } from 'undici';
import { registryRequest as request } from './registry-transport.js';
import { UnauthorizedError } from '../../common/errors.js';

// Registry authentication: parses WWW-Authenticate challenges and fetches bearer tokens,
// anonymously or with the credentials of a docker-style auth config.

/** X-Registry-Auth / ~/.docker/config.json credentials, in Docker's field names. */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (several challenges may be comma-joined). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < text.length && chars.test(text[i]!)) i++;
  };
  const word = (): string => {
    const start = i;
    while (i < text.length && /[^\s,=]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < text.length) {
    skip(/[\s,]/);
    const w = word();
    if (!w) break;
    skip(/\s/);
    if (text[i] !== '=') {
      current = { scheme: w.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    i++;
    skip(/\s/);
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
      i++;
    } else {
      value = word();
    }
    if (current) current.params[w.toLowerCase()] = value;
  }
  return out;
}

export function credentials(auth: AuthConfig | undefined): { username: string; password: string } | undefined {
  if (!auth) return undefined;
  if (auth.username) return { username: auth.username, password: auth.password ?? '' };
  if (auth.auth) {
    const text = Buffer.from(auth.auth, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i > 0) return { username: text.slice(0, i), password: text.slice(i + 1) };
  }
  return undefined;
}

export function basicHeader(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

interface CachedToken {
  token: string;
  expires: number;
}

/** Fetches and caches bearer tokens per realm, service, scope and user. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  forget(): void {
    this.tokens.clear();
  }

  async token(dispatcher: Dispatcher, challenge: Challenge, scope: string, auth: AuthConfig | undefined): Promise<string> {
    if (auth?.registrytoken) return auth.registrytoken;
    const realm = challenge.params.realm;
    if (!realm) throw new UnauthorizedError('unauthorized: bearer challenge without realm');
    const creds = credentials(auth);
    const scopes = [challenge.params.scope, scope].filter((s): s is string => !!s);
    const key = JSON.stringify([realm, challenge.params.service, scopes, creds?.username, auth?.identitytoken]);
    const hit = this.tokens.get(key);
    if (hit && hit.expires > Date.now()) return hit.token;

    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const s of new Set(scopes)) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    let method: 'GET' | 'POST' = 'GET';
    let body: string | undefined;
    if (auth?.identitytoken) {
      // An identity token is an OAuth2 refresh token (as `docker login` stores it).
      method = 'POST';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identitytoken, client_id: 'berth' });
      if (challenge.params.service) form.set('service', challenge.params.service);
      form.set('scope', [...new Set(scopes)].join(' '));
      body = form.toString();
    } else if (creds) {
      headers.authorization = basicHeader(creds.username, creds.password);
    }
    const res = await request(method === 'GET' ? url : new URL(url.origin + url.pathname), { method, headers, body, dispatcher });
    const text = await res.body.text();
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new UnauthorizedError(`unauthorized: ${errorText(text) ?? 'incorrect username or password'}`);
    }
    if (res.statusCode >= 400) {
      throw new UnauthorizedError(`unauthorized: token server answered ${res.statusCode}: ${errorText(text) ?? text.slice(0, 200)}`);
    }
    const doc = JSON.parse(text) as { token?: string; access_token?: string; expires_in?: number };
    const token = doc.token ?? doc.access_token;
    if (!token) throw new UnauthorizedError('unauthorized: token server returned no token');
    // Tokens live 60 s by default; refresh a little early.
    this.tokens.set(key, { token, expires: Date.now() + Math.max(10, (doc.expires_in ?? 60) - 10) * 1000 });
    return token;
  }
}

function errorText(text: string): string | undefined {
  try {
    const doc = JSON.parse(text) as { errors?: { message?: string }[]; details?: string };
    return doc.errors?.[0]?.message ?? doc.details;
  } catch {
    return undefined;
  }
}
