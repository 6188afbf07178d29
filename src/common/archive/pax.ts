import { InvalidArgumentError } from '../errors.js';

// PAX extended header records ("<len> <key>=<value>\n"). Values of SCHILY.xattr.* keys are binary
// (security.capability is not UTF-8): they are kept byte for byte as latin1 strings; the rest is UTF-8.

const XATTR_PREFIX = 'SCHILY.xattr.';

/** Parses a PAX record block, values as their raw bytes; a malformed record is a malformed archive. */
export function decodePaxBytes(buf: Buffer): Map<string, Buffer> {
  const result = new Map<string, Buffer>();
  let pos = 0;
  while (pos < buf.length) {
    // Trailing NUL padding ends the records.
    if (buf[pos] === 0) break;
    const space = buf.indexOf(0x20, pos);
    const len = space === -1 ? NaN : Number(buf.toString('latin1', pos, space));
    if (
      !Number.isInteger(len) ||
      len <= space - pos + 1 ||
      pos + len > buf.length ||
      buf[pos + len - 1] !== 0x0a
    ) {
      throw new InvalidArgumentError('invalid tar header: malformed PAX record');
    }
    const record = buf.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw new InvalidArgumentError('invalid tar header: malformed PAX record');
    result.set(record.toString('utf8', 0, eq), Buffer.from(record.subarray(eq + 1)));
    pos += len;
  }
  return result;
}

/** The records as strings: xattr values as latin1 (byte for byte), the rest as UTF-8. */
export function paxStrings(records: Map<string, Buffer>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of records)
    result[key] = key.startsWith(XATTR_PREFIX) ? value.toString('latin1') : value.toString('utf8');
  return result;
}

/** Parses a PAX record block; a malformed record is a malformed archive. */
export function decodePax(buf: Buffer): Record<string, string> {
  return paxStrings(decodePaxBytes(buf));
}

/** The xattrs of a tar entry from its PAX records, with their raw bytes. */
export function xattrsOf(pax: Record<string, string> | null | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!pax) return out;
  for (const [k, v] of Object.entries(pax)) {
    if (k.startsWith(XATTR_PREFIX)) out.set(k.slice(XATTR_PREFIX.length), Buffer.from(v, 'latin1'));
  }
  return out;
}
