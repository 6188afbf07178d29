import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { InvalidArgumentError } from '../../common/errors.js';
import type { RequestContext } from '../request-context.js';
import type { HijackedStream } from './hijack.js';

// `GET /containers/{id}/attach/ws`: the attach stream over a WebSocket (RFC 6455), as dockerd
// serves it: output goes out raw (no multiplexing) in binary frames, text or binary frames from the
// client are the container's stdin.

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One server frame (servers never mask). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Parses client frames from a growing buffer; returns the frames and the unconsumed rest. */
export function decodeFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let off = 0;
  while (buf.length - off >= 2) {
    const opcode = buf[off]! & 0x0f;
    const masked = (buf[off + 1]! & 0x80) !== 0;
    let len = buf[off + 1]! & 0x7f;
    let p = off + 2;
    if (len === 126) {
      if (buf.length < p + 2) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (buf.length < p + 8) break;
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    const mask = masked ? buf.subarray(p, p + 4) : undefined;
    if (masked) p += 4;
    if (buf.length < p + len) break;
    const payload = Buffer.from(buf.subarray(p, p + len));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
    frames.push({ opcode, payload });
    off = p + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/** `binary`: output in binary frames (API 1.28+), text frames for older clients. */
export function websocketStream(ctx: RequestContext, opts: { binary?: boolean } = {}): HijackedStream {
  const dataOpcode = opts.binary === false ? 0x1 : 0x2;
  const key = ctx.req.headers['sec-websocket-key'];
  if (!ctx.upgrade || typeof key !== 'string' || String(ctx.req.headers.upgrade).toLowerCase() !== 'websocket') {
    throw new InvalidArgumentError('this endpoint expects a WebSocket upgrade');
  }
  ctx.handled = true;
  const socket = ctx.upgrade.socket;
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`);
  const input = new PassThrough();
  let pending: Buffer = ctx.upgrade.head;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    input.end();
  };
  const onData = (d: Buffer): void => {
    pending = pending.length ? Buffer.concat([pending, d]) : d;
    const { frames, rest } = decodeFrames(pending);
    pending = rest;
    for (const f of frames) {
      if (f.opcode === 0x8) {
        if (!socket.writableEnded) socket.end(encodeFrame(0x8, Buffer.alloc(0)));
        close();
        return;
      }
      if (f.opcode === 0x9) socket.write(encodeFrame(0xa, f.payload));
      else if (f.opcode <= 0x2) input.write(f.payload);
    }
  };
  socket.on('data', onData);
  if (pending.length) onData(Buffer.alloc(0));
  socket.on('close', close);
  socket.on('error', close);
  return {
    input,
    write: (_s, d) => {
      if (!closed && !socket.writableEnded) socket.write(encodeFrame(dataOpcode, d));
    },
    end: () => {
      if (!socket.writableEnded) socket.end(encodeFrame(0x8, Buffer.alloc(0)));
    },
    get closed() {
      return closed;
    },
    onClose: (fn) => socket.once('close', fn),
  };
}
