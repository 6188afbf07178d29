import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFilters, type FilterArgs } from '../common/filters.js';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { HttpError } from './error-status.js';
import { parseJsonBody } from './json-body.js';
import type { Decoder } from './schemas/decode.js';
import { versionAtLeast } from './version.js';

/**
 * JSON bodies larger than this are refused (dockerd sets no bound; a create body is a few KiB).
 * Archives, image loads and build contexts stream and are not bounded by it.
 */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

/** Set when the client asked to hijack the connection (`Connection: Upgrade`, `Upgrade: tcp`). */
export interface UpgradeInfo {
  socket: Duplex;
  head: Buffer;
}

/** What a route handler sees: parsed path parameters, query helpers and the raw request. */
export class RequestContext {
  /** Set once the handler took the connection over (hijack, stream); the server then stays out of it. */
  handled = false;
  /** The daemon's logger, for what a handler notes without failing the request. */
  logger: Logger = silentLogger;
  private bodyBuffer: Buffer | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse | undefined,
    readonly path: string,
    readonly params: Record<string, string>,
    readonly query: URLSearchParams,
    readonly apiVersion: string,
    readonly upgrade?: UpgradeInfo,
  ) {}

  param(name: string): string {
    return this.params[name] ?? '';
  }

  /** Docker's boolean query values: 1/true/True/TRUE are true; 0/false/empty are false. */
  bool(name: string, dflt = false): boolean {
    const v = this.query.get(name);
    if (v === null) return dflt;
    const s = v.trim().toLowerCase();
    if (s === '' || s === '0' || s === 'false' || s === 'no') return false;
    return true;
  }

  str(name: string): string | undefined {
    const v = this.query.get(name);
    return v === null ? undefined : v;
  }

  int(name: string, dflt?: number): number | undefined {
    const v = this.query.get(name);
    if (v === null || v === '') return dflt;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`invalid value for ${name}: ${v}`);
    return n;
  }

  /** The `filters` parameter: `{"label":{"a=b":true}}` or the old `{"label":["a=b"]}` form, as lists. */
  filters(): FilterArgs {
    return parseFilters(this.query.get('filters'));
  }

  atLeast(version: string): boolean {
    return versionAtLeast(this.apiVersion, version);
  }

  /** Reads the whole body (bounded). With a hijacked request the body is read from the raw socket. */
  async rawBody(limit = MAX_JSON_BODY): Promise<Buffer> {
    if (this.bodyBuffer) return this.bodyBuffer;
    const declared = Number(this.req.headers['content-length'] ?? '0');
    if (declared > limit) throw new HttpError(413, `request body too large: ${declared} bytes exceeds the limit of ${limit}`);
    if (this.upgrade) {
      this.bodyBuffer = await readExact(this.upgrade, declared);
      return this.bodyBuffer;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, `request body too large: exceeds the limit of ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    this.bodyBuffer = Buffer.concat(chunks);
    return this.bodyBuffer;
  }

  /** Parses a JSON body; an empty body gives `undefined`. Malformed JSON is a 400 in Go's words. */
  async json<T = unknown>(): Promise<T | undefined> {
    const buf = await this.rawBody();
    return parseJsonBody(buf.toString('utf8')) as T | undefined;
  }

  /** Parses the JSON body and checks it against its Go declaration (see schemas/). */
  async body<T>(decode: Decoder<T>): Promise<T | undefined> {
    const raw = await this.json();
    return raw === undefined ? undefined : decode(raw);
  }
}

/** Reads exactly `n` bytes of request body that arrived on a hijacked socket (after `head`). */
async function readExact(up: UpgradeInfo, n: number): Promise<Buffer> {
  let buf = up.head;
  up.head = Buffer.alloc(0);
  if (buf.length >= n) {
    if (buf.length > n) up.socket.unshift(buf.subarray(n));
    return buf.subarray(0, n);
  }
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= n) {
        up.socket.off('data', onData);
        up.socket.off('error', reject);
        up.socket.pause();
        if (buf.length > n) up.socket.unshift(buf.subarray(n));
        resolve(buf.subarray(0, n));
      }
    };
    up.socket.on('data', onData);
    up.socket.on('error', reject);
  });
}
