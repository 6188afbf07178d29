import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// tar-stream decodes PAX records as UTF-8, which mangles binary xattr values such as
// security.capability. Its header decoder is swapped here for one that keeps the bytes of
// SCHILY.xattr.* values intact (as latin1 strings, one char per byte); other keys stay UTF-8.

const XATTR_PREFIX = 'SCHILY.xattr.';

function decodePax(buf: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  let rest = buf;
  while (rest.length) {
    let i = 0;
    while (i < rest.length && rest[i] !== 32) i++;
    const len = parseInt(rest.subarray(0, i).toString('latin1'), 10);
    if (!len) return result;
    const record = rest.subarray(i + 1, len - 1);
    const eq = record.indexOf(61);
    if (eq === -1) return result;
    const key = record.subarray(0, eq).toString('utf8');
    const value = record.subarray(eq + 1);
    result[key] = key.startsWith(XATTR_PREFIX) ? value.toString('latin1') : value.toString('utf8');
    rest = rest.subarray(len);
  }
  return result;
}

let installed = false;

/** Makes tar-stream keep binary xattr values; safe to call more than once. */
export function installBinaryPaxDecoder(): void {
  if (installed) return;
  const require = createRequire(import.meta.url);
  const headers = require(join(dirname(require.resolve('tar-stream')), 'headers.js')) as { decodePax: typeof decodePax };
  headers.decodePax = decodePax;
  installed = true;
}

/** The xattrs of a tar entry from its PAX records, with their raw bytes. */
export function xattrsOf(pax: Record<string, string> | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!pax) return out;
  for (const [k, v] of Object.entries(pax)) {
    if (k.startsWith(XATTR_PREFIX)) out.set(k.slice(XATTR_PREFIX.length), Buffer.from(v, 'latin1'));
  }
  return out;
}
