import { execFile } from 'node:child_process';
import { createReadStream, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import tar, { type Header } from 'tar-stream';

type Headers = Partial<Header> & { name: string };
import { ingestLayer, storeImage, type ImageStoreParts } from '../images/image-archive-layers.js';
import { applyChanges, type ContainerConfig } from '../images/image-config-changes.js';
import type { ImageRecord } from '../images/image-views.js';
import { parseNormalizedNamed, referenceString, tagNameOnly } from '../images/reference.js';
import type { ContainerRecord } from './container-model.js';

// `docker commit`: the container's upper directory becomes a new layer on top of its image
// (overlay whiteouts turned into `.wh.` entries as Docker writes them), with a new config.

const run = promisify(execFile);

export interface CommitDeps extends ImageStoreParts {
  containers: {
    get(ref: string): ContainerRecord;
    pause(ref: string): Promise<void>;
    unpause(ref: string): Promise<void>;
  };
  getImage(ref: string): ImageRecord;
  /** The container's overlay upper directory. */
  upperDir(containerId: string): string;
  emit?(action: string, imageId: string, name?: string): void;
}

export interface CommitOptions {
  container: string;
  repo?: string;
  tag?: string;
  author?: string;
  comment?: string;
  /** Pause a running container while its layer is read (Docker's default). */
  pause?: boolean;
  changes?: string[];
  /** Container config fields from the request body that override the container's. */
  config?: ContainerConfig;
  /** The new image's config exactly (the builder's state), instead of the container's merged with `config`. */
  replaceConfig?: ContainerConfig;
  /** The history entry's created_by; by default the container's command. */
  createdBy?: string;
}

/** Files the engine puts in every container (Docker keeps them in an init layer, never committed). */
const RUNTIME_FILES = new Set(['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'dev', 'proc', 'sys', 'run/.containerenv']);

/** Directories marked opaque in the upper dir (trusted.overlay.opaque=y), relative to it. */
async function opaqueDirs(upper: string): Promise<Set<string>> {
  const out = new Set<string>();
  let text = '';
  try {
    ({ stdout: text } = await run('getfattr', ['-R', '-P', '--absolute-names', '-n', 'trusted.overlay.opaque', upper], { maxBuffer: 64 << 20 }));
  } catch (err) {
    // getfattr exits 1 when some files lack the attribute; what it printed is still right.
    text = (err as { stdout?: string }).stdout ?? '';
  }
  let file: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) file = line.slice(8);
    else if (file && line.startsWith('trusted.overlay.opaque="y"')) out.add(file.slice(upper.length + 1));
  }
  return out;
}

const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

/** Directories that hold runtime files (etc, run): in the upper dir only because those are. */
const RUNTIME_PARENTS = new Set([...RUNTIME_FILES].flatMap((p) => p.split('/').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('/'))));

/** Whether the upper-dir entry at `path` belongs in the layer: not a runtime file, nor a directory holding only those. */
function keeps(abs: string, path: string, opaque: Set<string>): boolean {
  if (RUNTIME_FILES.has(path)) return false;
  if (!RUNTIME_PARENTS.has(path) || opaque.has(path) || !lstatSync(abs).isDirectory()) return true;
  return readdirSync(abs).some((n) => keeps(join(abs, n), `${path}/${n}`, opaque));
}

/** Whether the container changed any file: if not, its commit adds no layer (an empty_layer step, as dockerd's). */
export function upperHasChanges(upper: string, opaque: Set<string>): boolean {
  return readdirSync(upper).some((n) => keeps(join(upper, n), n, opaque));
}

/** The upper directory as a layer tar, in Docker's whiteout format. */
export function packUpperDir(upper: string, opaque: Set<string>): Readable {
  const pack = tar.pack();
  const links = new Map<string, string>();
  const add = (h: Headers, file?: string) =>
    new Promise<void>((resolve, reject) => {
      if (!file) {
        // An empty body ends the entry (a file-type entry without one would wait forever).
        pack.entry(h, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
        return;
      }
      const entry = pack.entry(h, (err) => (err ? reject(err) : resolve()));
      const rs = createReadStream(file);
      rs.on('error', reject);
      rs.pipe(entry);
    });
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const name of readdirSync(dir).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const abs = join(dir, name);
      if (!keeps(abs, path, opaque)) continue;
      const st = lstatSync(abs);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
      if (isWhiteout(st)) {
        await add({ ...base, name: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, mode: 0, size: 0 });
        continue;
      }
      if (st.isDirectory()) {
        await add({ ...base, name: `${path}/`, type: 'directory' });
        if (opaque.has(path)) await add({ ...base, name: `${path}/.wh..wh..opq`, mode: 0, size: 0 });
        await visit(abs, path);
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1 && !st.isDirectory()) {
        const first = links.get(key);
        if (first) {
          await add({ ...base, name: path, type: 'link', linkname: first, size: 0 });
          continue;
        }
        links.set(key, path);
      }
      if (st.isFile()) await add({ ...base, name: path, size: st.size }, abs);
      else if (st.isSymbolicLink()) await add({ ...base, name: path, type: 'symlink', linkname: readlinkSync(abs) });
      else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await add({
          ...base,
          name: path,
          type: st.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Math.floor(st.rdev / 256) & 0xfff,
          devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
        });
      } else if (st.isFIFO()) await add({ ...base, name: path, type: 'fifo' });
    }
  };
  visit(upper, '').then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return Readable.from(pack);
}

/** Merges the request's config over the container's, as dockerd does (empty fields inherit). */
function mergeConfig(container: ContainerConfig, override: ContainerConfig | undefined): ContainerConfig {
  const out: Record<string, unknown> = { ...container };
  for (const [k, v] of Object.entries(override ?? {}) as [string, unknown][]) {
    const empty = v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
    if (!empty) out[k] = v;
  }
  return out as ContainerConfig;
}

export async function commitContainer(deps: CommitDeps, o: CommitOptions): Promise<{ Id: string }> {
  const c = deps.containers.get(o.container);
  const parent = deps.getImage(c.Image);
  let target: string | undefined;
  if (o.repo) {
    const ref = parseNormalizedNamed(o.repo);
    target = referenceString(tagNameOnly(o.tag ? { ...ref, tag: o.tag } : ref));
  }
  const config = o.replaceConfig ?? applyChanges(mergeConfig(c.Config, o.config), o.changes ?? []);
  let pause = o.pause !== false && c.State.Running && !c.State.Paused;
  if (pause) {
    // A process that exits as the commit begins cannot be frozen; its files are final anyway.
    pause = await deps.containers.pause(c.Id).then(
      () => true,
      (err: Error) => {
        if (/not running/i.test(err.message)) return false;
        throw err;
      },
    );
  }
  let layer;
  try {
    const upper = deps.upperDir(c.Id);
    const parentChain = parent.layers.at(-1)?.chainId ?? null;
    const opaque = await opaqueDirs(upper);
    if (upperHasChanges(upper, opaque)) layer = await ingestLayer(deps, packUpperDir(upper, opaque), parentChain);
  } finally {
    if (pause) await deps.containers.unpause(c.Id).catch(() => undefined);
  }
  const created = new Date().toISOString();
  const pc = parent.config;
  const history = [
    ...(pc.history ?? []),
    {
      created,
      created_by: o.createdBy ?? [...(c.Config.Entrypoint ?? []), ...(c.Config.Cmd ?? [])].join(' '),
      ...(o.author ? { author: o.author } : {}),
      ...(o.comment ? { comment: o.comment } : {}),
      ...(layer ? {} : { empty_layer: true }),
    },
  ];
  const doc = {
    architecture: pc.architecture ?? 'amd64',
    ...(o.author ? { author: o.author } : {}),
    ...(o.comment ? { comment: o.comment } : {}),
    config,
    container: c.Id,
    // dockerd's graph-driver store keeps the committed container's config (ContainerConfig, API < 1.45).
    container_config: c.Config,
    created,
    history,
    os: pc.os ?? 'linux',
    ...(pc.variant ? { variant: pc.variant } : {}),
    rootfs: { type: 'layers', diff_ids: [...(pc.rootfs?.diff_ids ?? []), ...(layer ? [layer.diffId] : [])] },
  };
  const row = deps.repo.get(parent.id)!;
  const image = storeImage(deps, Buffer.from(JSON.stringify(doc)), layer ? [...row.layers, layer] : row.layers, target ? [target] : [], parent.id);
  deps.emit?.('commit', image.id, target);
  return { Id: image.id };
}
