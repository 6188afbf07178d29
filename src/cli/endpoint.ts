import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HOST, type ClientTls } from '../client/api-client.js';
import { ContextStore } from './context-store.js';

// Which daemon the CLI talks to, resolved as the docker CLI does: --host, else --context, else
// DOCKER_HOST, else DOCKER_CONTEXT, else config.json's currentContext, else the default socket.
// TLS comes from --tls* flags and DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, or from the context.

export interface EndpointOptions {
  host?: string[];
  context?: string;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

export interface Endpoint {
  contextName: string;
  host: string;
  tls?: ClientTls;
}

function readTls(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`could not read ${what} "${path}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `open ${path}: no such file or directory` : (err as Error).message}`);
  }
}

/** tcp://host → tcp://host:2376 with TLS, :2375 without, as docker's ParseHost does. */
function withDefaultPort(host: string, tls: boolean): string {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]*)(:\d*)?(\/.*)?$/.exec(host);
  if (!m) return host;
  const port = m[2] && m[2] !== ':' ? m[2] : `:${tls ? 2376 : 2375}`;
  return `tcp://${m[1] || '127.0.0.1'}${port}${m[3] ?? ''}`;
}

function normalise(host: string): string {
  return host.includes('://') ? host : `tcp://${host}`;
}

export function resolveContextName(opts: EndpointOptions, env: NodeJS.ProcessEnv, store: ContextStore): string {
  if (opts.context && opts.host?.length) throw new Error('conflicting options: cannot specify both --host and --context');
  if (opts.context) return opts.context;
  if (opts.host?.length || env.BERTH_HOST || env.DOCKER_HOST) return 'default';
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  return store.current();
}

export function resolveEndpoint(opts: EndpointOptions, env: NodeJS.ProcessEnv, configDir: string): Endpoint {
  const store = new ContextStore(configDir);
  const contextName = resolveContextName(opts, env, store);
  if (contextName !== 'default') {
    const meta = store.get(contextName);
    if (!meta) throw new Error(`context "${contextName}" does not exist`);
    const ep = meta.Endpoints.docker;
    if (!ep?.Host) throw new Error(`context "${contextName}" has no docker endpoint`);
    const material = store.tls(contextName);
    const hasTls = Object.keys(material).length > 0 || ep.SkipTLSVerify;
    const tls = hasTls ? { ca: material['ca.pem'], cert: material['cert.pem'], key: material['key.pem'], verify: !ep.SkipTLSVerify } : undefined;
    return { contextName, host: withDefaultPort(ep.Host, !!tls), tls };
  }
  const raw = opts.host?.[opts.host.length - 1] ?? env.BERTH_HOST ?? env.DOCKER_HOST ?? DEFAULT_HOST;
  const verify = !!opts.tlsverify || (env.DOCKER_TLS_VERIFY ?? '') !== '';
  const useTls = verify || !!opts.tls || (env.DOCKER_TLS ?? '') !== '';
  const host = normalise(raw);
  if (!useTls || !/^(tcp|https):/.test(host)) return { contextName, host: withDefaultPort(host, false) };
  const certPath = env.DOCKER_CERT_PATH || configDir;
  const pick = (flag: string | undefined, file: string, what: string): Buffer | undefined => {
    if (flag) return readTls(what, flag);
    const p = join(certPath, file);
    return existsSync(p) ? readTls(what, p) : undefined;
  };
  const tls: ClientTls = {
    ca: pick(opts.tlscacert, 'ca.pem', 'CA certificate'),
    cert: pick(opts.tlscert, 'cert.pem', 'client certificate'),
    key: pick(opts.tlskey, 'key.pem', 'client key'),
    verify,
  };
  return { contextName, host: withDefaultPort(host.replace(/^https:/, 'tcp:'), true), tls };
}
