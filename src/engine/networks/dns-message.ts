// The small part of the DNS wire format (RFC 1035) the embedded server needs: read a query's
// header and first question, write a reply with A records or an error code.

export const QTYPE_A = 1;
export const QTYPE_PTR = 12;
export const QTYPE_AAAA = 28;
export const RCODE_NOERROR = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export interface DnsQuery {
  id: number;
  flags: number;
  name: string;
  qtype: number;
  qclass: number;
  /** Byte length of header + first question, to copy the question into the reply. */
  questionEnd: number;
}

/** Parses a query; undefined when it is not one (a response, or malformed). */
export function decodeQuery(buf: Buffer): DnsQuery | undefined {
  if (buf.length < 12) return undefined;
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000 || buf.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= buf.length) return undefined;
    const len = buf[off]!;
    if (len === 0) {
      off += 1;
      break;
    }
    if (len & 0xc0 || off + 1 + len > buf.length) return undefined; // queries carry no compression
    labels.push(buf.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  if (off + 4 > buf.length) return undefined;
  return {
    id: buf.readUInt16BE(0),
    flags,
    name: labels.join('.'),
    qtype: buf.readUInt16BE(off),
    qclass: buf.readUInt16BE(off + 2),
    questionEnd: off + 4,
  };
}

/** A reply to q with the given IPv4 addresses as A records (TTL 600, like Docker's), or an rcode. */
export function encodeReply(query: Buffer, q: DnsQuery, rcode: number, addresses: string[] = [], ttl = 600): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR=1, opcode copied, AA=1, RD copied, RA=1, rcode.
  header.writeUInt16BE(0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const question = query.subarray(12, q.questionEnd);
  const answers = addresses.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the name in the question
    rr.writeUInt16BE(QTYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((b, i) => rr.writeUInt8(Number(b), 12 + i));
    return rr;
  });
  return Buffer.concat([header, question, ...answers]);
}

/** A query message, for tests and for probing. */
export function encodeQuery(id: number, name: string, qtype = QTYPE_A): Buffer {
  const labels = name.split('.').filter(Boolean);
  const parts = [Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'latin1'));
  parts.push(Buffer.from([0, qtype >> 8, qtype & 255, 0, 1]));
  return Buffer.concat(parts);
}
