import { ftruncateSync, writeSync } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';
import { MAX_TAR_META, type TarEntrySink } from './tar-reader.js';

// GNU sparse format 1.0 (what GNU tar --format=posix and berth's backups write): the entry's PAX
// records name the file and its real size, and its content starts with a map ("count\n" then
// "offset\nlength\n" pairs, padded to 512 bytes) followed by the data regions back to back. The
// holes are never written, so the file stays sparse. A map that is malformed, overlaps, leaves
// the real size or does not match the data is a corrupt archive.

const BLOCK = 512;

export interface SparseInfo {
  /** The file's name (GNU.sparse.name; the header's name is a placeholder). */
  name: string;
  realSize: number;
}

function intOf(v: string | undefined): number {
  const n = Number(v);
  return v !== undefined && /^\d+$/.test(v) && Number.isSafeInteger(n) ? n : NaN;
}

/** The sparse 1.0 description in a header's PAX records, if it has one. */
export function sparseInfo(pax: Record<string, string> | null): SparseInfo | undefined {
  if (!pax || pax['GNU.sparse.major'] !== '1' || pax['GNU.sparse.minor'] !== '0') return undefined;
  const realSize = intOf(pax['GNU.sparse.realsize']);
  const name = pax['GNU.sparse.name'];
  if (Number.isNaN(realSize) || !name)
    throw new InvalidArgumentError('invalid tar header: a sparse entry without its name or real size');
  return { name, realSize };
}

/** Writes a sparse entry's content (map, then regions) into the open file `fd`. */
export function sparseSink(fd: number, info: SparseInfo, corrupt: (why: string) => Error): TarEntrySink {
  let mapText: Buffer[] = [];
  let mapBytes = 0;
  /** Regions still to fill: [offset, length], once the map is read. */
  let regions: [number, number][] | undefined;
  /** Padding bytes after the map still to skip. */
  let skip = 0;
  let at = 0;

  function parseMap(text: Buffer): { length: number; list: [number, number][] } | undefined {
    // The regions and the map's length (up to its last newline), once it is complete.
    const nums: number[] = [];
    let pos = 0;
    for (;;) {
      const nl = text.indexOf(10, pos);
      if (nl === -1) return undefined;
      const n = intOf(text.toString('latin1', pos, nl));
      if (Number.isNaN(n)) throw corrupt('has a corrupt sparse map');
      nums.push(n);
      pos = nl + 1;
      if (nums.length === 2 * nums[0]! + 1) break;
    }
    const list: [number, number][] = [];
    let end = 0;
    for (let i = 1; i < nums.length; i += 2) {
      const [offset, length] = [nums[i]!, nums[i + 1]!];
      if (offset < end || offset + length > info.realSize) throw corrupt('has a corrupt sparse map');
      end = offset + length;
      if (length) list.push([offset, length]);
    }
    return { length: pos, list };
  }

  return {
    write(chunk: Buffer): void {
      let data = chunk;
      if (!regions) {
        mapText.push(data);
        mapBytes += data.length;
        if (mapBytes > MAX_TAR_META) throw corrupt('has a sparse map larger than 1 MiB');
        const text = Buffer.concat(mapText);
        const map = parseMap(text);
        if (!map) {
          mapText = [text];
          return;
        }
        mapText = [];
        regions = map.list;
        skip = (BLOCK - (map.length % BLOCK)) % BLOCK;
        data = text.subarray(map.length);
      }
      if (skip) {
        const n = Math.min(skip, data.length);
        skip -= n;
        data = data.subarray(n);
      }
      const list: [number, number][] = regions;
      while (data.length) {
        const region = list[0];
        if (!region) throw corrupt('holds more data than its sparse map');
        const n = Math.min(data.length, region[1] - at);
        let off = 0;
        while (off < n) off += writeSync(fd, data, off, n - off, region[0] + at + off);
        data = data.subarray(n);
        at += n;
        if (at === region[1]) {
          list.shift();
          at = 0;
        }
      }
    },
    end(): void {
      if (!regions || skip || regions.length) throw corrupt('is shorter than its sparse map');
      ftruncateSync(fd, info.realSize);
    },
  };
}
