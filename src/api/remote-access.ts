import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../common/logger.js';
import { HttpError } from './error-status.js';

// Who may do what on a tcp:// listener. The client certificate (verified against the CA by the
// TLS layer) names the caller; `OU=readonly` in its subject limits it to read routes.

export interface RemoteClient {
  /** The certificate subject as `CN=…,OU=…`, or "-" without one (plain TCP on loopback). */
  subject: string;
  readonly: boolean;
}

const clients = new WeakMap<object, RemoteClient>();

function clientOf(req: IncomingMessage): RemoteClient {
  const socket = req.socket as TLSSocket;
  let client = clients.get(socket);
  if (client) return client;
  const cert = socket.encrypted ? socket.getPeerCertificate() : undefined;
  const subject = cert?.subject as Record<string, string | string[]> | undefined;
  if (!subject || Object.keys(subject).length === 0) client = { subject: '-', readonly: false };
  else {
    const parts = Object.entries(subject).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${x}`));
    const ou = subject.OU === undefined ? [] : Array.isArray(subject.OU) ? subject.OU : [subject.OU];
    client = { subject: parts.join(','), readonly: ou.some((o) => o.toLowerCase() === 'readonly') };
  }
  clients.set(socket, client);
  return client;
}

/** Reads that neither change state nor open a stream that writes into a container. */
export function isReadRoute(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return !/\/attach\/ws$/.test(path);
}

export interface RequestAccess {
  /** Throws a 403 when the caller may not do this; logs every request with the caller's subject. */
  check(req: IncomingMessage, method: string, path: string): void;
}

export function remoteAccess(logger: Logger): RequestAccess {
  return {
    check(req, method, path) {
      const client = clientOf(req);
      const allowed = !client.readonly || isReadRoute(method, path);
      logger.info({ method, path, client: client.subject, remote: req.socket.remoteAddress, allowed }, 'remote request');
      if (!allowed) {
        throw new HttpError(403, `access denied: the client certificate ${client.subject} is read-only (OU=readonly) and may not ${method} ${path}`);
      }
    },
  };
}
