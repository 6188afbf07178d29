import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { errorMessage, NotModifiedError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { HttpError, publicError, statusOf } from './error-status.js';
import type { RequestAccess } from './remote-access.js';
import { RequestContext } from './request-context.js';
import type { Router } from './router.js';
import { API_VERSION, BERTH_VERSION, negotiatePath } from './version.js';

export const SERVER_HEADER = `berth/${BERTH_VERSION} (linux)`;

/** Sends a JSON body with a status; the helper handlers use for anything but a plain 200. */
export function reply(ctx: RequestContext, status: number, body?: unknown): void {
  ctx.handled = true;
  const res = ctx.res!;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(ctx.req.method === 'HEAD' ? undefined : text);
}

function baseHeaders(res: ServerResponse, version: string): void {
  res.setHeader('Server', SERVER_HEADER);
  res.setHeader('Api-Version', version);
  res.setHeader('Ostype', 'linux');
  res.setHeader('Docker-Experimental', 'false');
}

/**
 * The HTTP front: version negotiation, routing, error → status. Handlers never see a request with
 * an unsupported version, and no error from a handler takes the daemon down.
 */
export function createApiServer(router: Router, logger: Logger, opts: { tls?: TlsServerOptions; http?: ServerOptions; access?: RequestAccess } = {}): Server {
  const options: ServerOptions = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000, ...opts.http };
  const handler = (req: IncomingMessage, res: ServerResponse) => void dispatch(router, logger, req, res, undefined, opts.access);
  const server = opts.tls ? createTlsServer({ ...options, ...opts.tls }, handler) : createServer(options, handler);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void dispatch(router, logger, req, undefined, { socket, head }, opts.access);
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    logger.debug({ err: errorMessage(err) }, 'client error');
  });
  return server;
}

async function dispatch(
  router: Router,
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse | undefined,
  upgrade: { socket: Duplex; head: Buffer } | undefined,
  access: RequestAccess | undefined,
): Promise<void> {
  const method = req.method ?? 'GET';
  let url: URL | undefined;
  let ctx: RequestContext | undefined;
  try {
    if (res) baseHeaders(res, API_VERSION);
    url = parseRequestUrl(req.url ?? '/');
    const { version, path } = negotiatePath(url.pathname);
    if (res) res.setHeader('Api-Version', API_VERSION);
    access?.check(req, method, path);
    const match = router.match(method, path);
    if (!match) throw new HttpError(404, 'page not found');
    ctx = new RequestContext(req, res, path, match.params, url.searchParams, version, upgrade);
    ctx.logger = logger;
    logger.debug({ method, path: url.pathname }, 'request');
    const result = await match.handler(ctx);
    if (ctx.handled) return;
    if (!res) {
      // An upgrade request to an endpoint that does not hijack: answer it as plain HTTP.
      writeRaw(upgrade!.socket, 200, result);
      return;
    }
    if (result === undefined) res.writeHead(204).end();
    else reply(ctx, 200, result);
  } catch (err) {
    const status = statusOf(err);
    const { message, errorId } = publicError(err);
    const path = url?.pathname ?? req.url;
    if (status >= 500) logger.error({ err, method, path, errorId }, 'request failed');
    else logger.debug({ method, path, status, msg: errorMessage(err) }, 'request refused');
    if (ctx?.handled && res?.headersSent) {
      res.destroy();
      return;
    }
    if (res) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof NotModifiedError) {
        res.writeHead(304).end();
        return;
      }
      const text = JSON.stringify({ message });
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    } else if (upgrade && !ctx?.handled) {
      writeRaw(upgrade.socket, status, err instanceof NotModifiedError ? undefined : { message });
    } else {
      upgrade?.socket.destroy();
    }
  }
}

/** Go's net/http refuses a bad %-escape in the path or query with this 400. */
export function parseRequestUrl(raw: string): URL {
  const bad = /%(?![0-9a-fA-F]{2})[^%]{0,2}/.exec(raw);
  if (bad) throw new HttpError(400, `invalid URL escape "${bad[0]}"`);
  try {
    // A path is a path: `//x` is not a host, as `new URL('//x', base)` would take it.
    return new URL(raw.startsWith('/') ? `http://berth${raw}` : raw, 'http://berth');
  } catch {
    throw new HttpError(400, `parse "${raw.slice(0, 100)}": invalid URI for request`);
  }
}

function writeRaw(socket: Duplex, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Error'}\r\nContent-Type: application/json\r\n` +
      `Server: ${SERVER_HEADER}\r\nApi-Version: ${API_VERSION}\r\nOstype: linux\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
