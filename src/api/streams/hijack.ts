import type { Duplex, Readable } from 'node:stream';
import type { RequestContext } from '../request-context.js';
import { frame, type StreamType } from './multiplexed.js';
import { behaves } from '../versions/query-gates.js';

/**
 * A connection taken over for attach and exec. With `Upgrade: tcp` the client gets
 * `101 UPGRADED` and the socket becomes a raw two-way pipe (stdin in, output out); without it the
 * response is a 200 `application/vnd.docker.raw-stream` and only output flows.
 */
export interface HijackedStream {
  /** Client → container bytes (stdin); null when the client did not upgrade. */
  readonly input: Readable | null;
  /** Writes container output: framed when multiplexed, raw for a TTY. */
  write(stream: StreamType, data: Buffer): void;
  /** Half-closes: the client sees EOF on its read side. */
  end(): void;
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

export function hijack(ctx: RequestContext, opts: { multiplexed: boolean; headers?: Record<string, string> }): HijackedStream {
  ctx.handled = true;
  const contentType =
    opts.multiplexed && behaves(ctx.apiVersion, 'multiplexedContentType') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  const encode = (stream: StreamType, data: Buffer) => (opts.multiplexed ? frame(stream, data) : data);

  if (ctx.upgrade) {
    const socket: Duplex = ctx.upgrade.socket;
    const extra = Object.entries(opts.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(
      `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
        `Api-Version: ${ctx.apiVersion}\r\n${extra}\r\n`,
    );
    if (ctx.upgrade.head.length) socket.unshift(ctx.upgrade.head);
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => (closed = true));
    return {
      input: socket,
      write: (s, d) => {
        if (!closed && !socket.writableEnded) socket.write(encode(s, d));
      },
      end: () => {
        if (!socket.writableEnded) socket.end();
      },
      get closed() {
        return closed;
      },
      onClose: (fn) => socket.once('close', fn),
    };
  }

  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': contentType, ...opts.headers });
  res.flushHeaders();
  let closed = false;
  res.on('close', () => (closed = true));
  return {
    input: null,
    write: (s, d) => {
      if (!closed && !res.writableEnded) res.write(encode(s, d));
    },
    end: () => {
      if (!res.writableEnded) res.end();
    },
    get closed() {
      return closed;
    },
    onClose: (fn) => res.once('close', fn),
  };
}
