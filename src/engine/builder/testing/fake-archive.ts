import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { ArchiveLimits } from '../../../common/archive/limits.js';
import { NotFoundError } from '../../../common/errors.js';
import type { BuilderArchive } from '../build-types.js';
import type { FakeContainers } from './fake-containers.js';
import { writeFile, type FakeTree } from './fake-tree.js';

// The archive API over the fake containers' in-memory trees; the tars themselves are real.

export interface FakePut {
  id: string;
  path: string;
  chownTo: string;
  limits?: ArchiveLimits;
}

export class FakeArchive implements BuilderArchive {
  readonly puts: FakePut[] = [];

  constructor(private readonly containers: FakeContainers) {}

  async put(id: string, path: string, body: Readable, chownTo: string, limits?: ArchiveLimits): Promise<void> {
    const files = this.containers.get(id).files;
    this.puts.push({ id, path, chownTo, limits });
    await eachEntry(body, (name, type, mode, data) => {
      const at = posix.join(path, name);
      if (at === '/') return;
      writeFile(files, at, { type, mode, data, owner: chownTo });
    });
  }

  async get(id: string, path: string): Promise<Readable> {
    const files = this.containers.get(id).files;
    const root = posix.normalize(path);
    if (root !== '/' && !files.has(root)) throw new NotFoundError(`Could not find the file ${path} in container ${id}`);
    const base = root === '/' ? '' : posix.basename(root);
    const pack = tar.pack();
    for (const [p, f] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      if (root !== '/' && p !== root && !p.startsWith(`${root}/`)) continue;
      const name = posix.join(base, root === '/' ? p.slice(1) : p.slice(root.length)) || '.';
      if (f.type === 'directory') pack.entry({ name: `${name}/`, type: 'directory', mode: f.mode });
      else pack.entry({ name, mode: f.mode }, f.data);
    }
    pack.finalize();
    return Readable.from(pack as unknown as AsyncIterable<Buffer>);
  }

  async kind(id: string, path: string): Promise<'dir' | 'other' | undefined> {
    return kindIn(this.containers.get(id).files, path);
  }

  async extractTo(dir: string, body: Readable): Promise<void> {
    await eachEntry(body, (name, type, mode, data) => {
      const at = join(dir, name);
      if (type === 'directory') mkdirSync(at, { recursive: true, mode });
      else {
        mkdirSync(dirname(at), { recursive: true });
        writeFileSync(at, data, { mode });
      }
    });
  }
}

export function kindIn(files: FakeTree, path: string): 'dir' | 'other' | undefined {
  const p = posix.normalize(path);
  if (p === '/') return 'dir';
  const f = files.get(p);
  if (f) return f.type === 'directory' ? 'dir' : 'other';
  return undefined;
}

type EntryFn = (name: string, type: 'file' | 'directory', mode: number, data: Buffer) => void;

/** Each file and directory of a tar, its body read whole. */
function eachEntry(body: Readable, fn: EntryFn): Promise<void> {
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    extract.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const name = h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
        if (h.type === 'directory' || h.type === 'file') fn(name, h.type, h.mode ?? 0o644, Buffer.concat(chunks));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    body.on('error', reject);
    body.pipe(extract as unknown as NodeJS.WritableStream);
  });
}
