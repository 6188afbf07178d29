import { createHash } from 'node:crypto';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { matchGlob } from '../../common/path-glob.js';
import type { ImageRecord } from '../images/image-views.js';
import type { BuildState } from './build-types.js';
import type { Instruction } from './dockerfile.js';

// Where COPY and ADD take their files from: the build context, another stage or image (--from),
// or a URL (ADD), each source a local path the step then packs.

export interface CopySource {
  path: string;
  rel: string;
  /** Downloaded by ADD: never extracted. */
  remote?: boolean;
}

/** The local files the sources name (globs matched), with the errors dockerd gives. */
export async function resolveSources(b: BuildState, ins: Instruction, srcs: string[]): Promise<CopySource[]> {
  const root = ins.flags.from ? await fromSource(b, ins.flags.from, srcs) : b.context;
  const sources: CopySource[] = [];
  for (const src of srcs) {
    if (/^https?:\/\//.test(src)) {
      if (ins.cmd === 'COPY') throw new InvalidArgumentError("source can't be a URL for COPY");
      const path = await download(src, ins.flags.checksum, b.cleanups);
      sources.push({ path, rel: basename(path), remote: true });
      continue;
    }
    if (!ins.flags.from && posix.normalize(src).startsWith('../')) throw new InvalidArgumentError(`${ins.cmd} failed: forbidden path outside the build context: ${src} ()`);
    const matches = matchGlob(root, src);
    if (matches.length === 0) throw new InvalidArgumentError(`${ins.cmd} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`);
    sources.push(...matches.map((rel) => ({ path: join(root, rel), rel })));
  }
  return sources;
}

/** COPY --from: the named files of another stage or image, extracted to a temporary directory. */
async function fromSource(b: BuildState, from: string, srcs: string[]): Promise<string> {
  const { d, cleanups } = b;
  const image = await fromImage(b, from);
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-from-'));
  cleanups.push(dir);
  const cid = await d.containers.create({ Image: image.id, Cmd: ['true'], Entrypoint: [], HostConfig: { NetworkMode: 'none' } });
  try {
    for (const src of srcs) {
      const base = src.replace(/\/+$/, '').split('/').filter(Boolean);
      // The parent of the first wildcard is fetched whole; the glob is matched on the copy.
      const cut = base.findIndex((p) => /[*?[]/.test(p));
      const fetch = '/' + (cut < 0 ? base : base.slice(0, cut)).join('/');
      const into = join(dir, posix.dirname(fetch));
      await d.archive.extractTo(into, await d.archive.get(cid, fetch));
    }
  } catch (err) {
    throw new InvalidArgumentError(`COPY --from=${from} failed: ${(err as Error).message}`);
  } finally {
    await d.containers.remove(cid).catch(() => undefined);
  }
  return dir;
}

/** --from names a stage by index or name, else an image (pulled when not here). */
async function fromImage(b: BuildState, from: string): Promise<ImageRecord> {
  const stage = /^\d+$/.test(from) ? b.stages[Number(from)] : b.stages.find((x) => x.name?.toLowerCase() === from.toLowerCase());
  if (stage) return stage.image;
  try {
    return b.d.images.getImage(from);
  } catch {
    return b.d.images.pull(from, b.o.platform, () => undefined);
  }
}

/**
 * ADD <url>: the file, downloaded by the daemon as dockerd does, named after the URL's last path
 * segment (or Content-Disposition), mode 0600, dated by Last-Modified.
 */
async function download(url: string, checksum: string | undefined, cleanups: string[]): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new InvalidArgumentError(`ADD failed: ${url}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  if (res.status >= 400) throw new InvalidArgumentError(`failed to GET ${url} with status ${res.status} ${res.statusText}: ${(await res.text()).trim()}`);
  let name = posix.basename(new URL(res.url || url).pathname);
  if (!name) name = /filename="?([^";]+)"?/i.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? '';
  if (!name || name === '/' || name === '.') throw new InvalidArgumentError(`cannot determine filename from url: ${url}`);
  const body = Buffer.from(await res.arrayBuffer());
  if (checksum) {
    const got = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (got !== checksum) throw new InvalidArgumentError(`digest mismatch ${got}: ${checksum}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-url-'));
  cleanups.push(dir);
  const path = join(dir, name);
  writeFileSync(path, body, { mode: 0o600 });
  const modified = Date.parse(res.headers.get('last-modified') ?? '');
  if (!Number.isNaN(modified)) utimesSync(path, new Date(modified), new Date(modified));
  return path;
}
