// Docker's stdcopy framing for non-TTY attach/logs/exec streams: an 8-byte header
// [stream, 0, 0, 0, size (uint32 big-endian)] before each payload. stream: 0 stdin, 1 stdout, 2 stderr,
// 3 systemerr (an error the daemon reports mid-stream).

export type StreamType = 0 | 1 | 2 | 3;

export function frame(stream: StreamType, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Splits a byte stream back into frames; keeps partial frames across chunks. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: StreamType; payload: Buffer }[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: { stream: StreamType; payload: Buffer }[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      out.push({ stream: this.pending[0] as StreamType, payload: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }

  get leftover(): number {
    return this.pending.length;
  }
}
