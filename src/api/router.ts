import { HttpError } from './error-status.js';
import type { RequestContext } from './request-context.js';

export type Handler = (ctx: RequestContext) => unknown | Promise<unknown>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/**
 * Routes written as Docker writes them: `/containers/{name}/json`, and `{name:.*}` for image names,
 * which may hold slashes and colons (`/images/localhost:5000/a/b:tag/json`).
 */
export class Router {
  private routes: Route[] = [];

  add(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template.replace(/[.+?^$()[\]\\|]/g, '\\$&').replace(/\{(\w+)(?::([^}]+))?\}/g, (_m, name, re) => {
      names.push(name);
      return re ? `(${re.replace(/\\\./g, '.')})` : '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  get(t: string, h: Handler): this {
    return this.add('GET', t, h);
  }
  post(t: string, h: Handler): this {
    return this.add('POST', t, h);
  }
  put(t: string, h: Handler): this {
    return this.add('PUT', t, h);
  }
  delete(t: string, h: Handler): this {
    return this.add('DELETE', t, h);
  }
  head(t: string, h: Handler): this {
    return this.add('HEAD', t, h);
  }

  /** Finds the handler; `methodMismatch` tells a wrong method from an unknown path. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const r of this.routes) {
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodePathSegment(m[i + 1]!)));
      return { handler: r.handler, params };
    }
    return undefined;
  }
}

/** A %-escaped path parameter; escapes that are not UTF-8 are the client's fault (Go's 400). */
function decodePathSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `invalid URL escape "${/%[0-9a-fA-F]{2}/.exec(s)?.[0] ?? s.slice(0, 3)}"`);
  }
}
