import { createHash } from 'node:crypto';
import { createReadStream, lstatSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { packPath } from '../../common/archive/pack.js';
import { BUILD_CONTEXT_LIMITS } from '../../common/archive/limits.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { splitWords } from '../../common/shell-words.js';
import { decompressContext } from './build-context.js';
import { advance, ensureDir, useCache, withContainer } from './build-step.js';
import { hashTree, looksLikeArchive, withMode } from './build-tars.js';
import type { BuildState } from './build-types.js';
import { resolveSources, type CopySource } from './copy-sources.js';
import type { StageDispatcher } from './dispatch-types.js';
import type { Instruction } from './dockerfile.js';

// COPY and ADD: files written into a created (never started) container of the stage's image, its
// changes committed. ADD also downloads URLs and extracts local archives.

interface CopyPlan {
  ins: Instruction;
  sources: CopySource[];
  /** The destination as written, and resolved against WORKDIR. */
  dest0: string;
  dest: string;
  destIsDir: boolean;
  chmod?: string;
}

export const dispatchCopy: StageDispatcher = async (b, s, { ins, args }) => {
  const words = ins.json ?? splitWords(args);
  if (words.length < 2) throw new InvalidArgumentError(`${ins.cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
  const dest0 = words[words.length - 1]!;
  const dest = posix.resolve(s.config.WorkingDir || '/', dest0);
  const destIsDir = dest0.endsWith('/') || dest0.endsWith('/.') || words.length > 2;
  const sources = await resolveSources(b, ins, words.slice(0, -1));
  // The classic builder wants a slash even for `COPY a b .` (BuildKit does not).
  if (sources.length > 1 && !dest0.endsWith('/')) {
    throw new InvalidArgumentError(`When using ${ins.cmd} with more than one source file, the destination must be a directory and end with a /`);
  }
  const chmod = ins.flags.chmod;
  if (chmod !== undefined && !/^[0-7]{1,4}$/.test(chmod)) throw new InvalidArgumentError(`invalid chmod parameter: ${chmod}`);
  const plan: CopyPlan = { ins, sources, dest0, dest, destIsDir, chmod };
  const createdBy = copyCreatedBy(plan);
  if (useCache(b, s, createdBy, s.config)) return;
  const id = await withContainer(b, s, createdBy, async (cid) => {
    for (const src of sources) await copyOne(b, cid, plan, src);
    return b.d.commit(cid, s.config, createdBy, s.maintainer);
  });
  advance(b, s, id);
};

/** History and cache key of the step: what kind of source, a hash of its content, the destination. */
function copyCreatedBy({ ins, sources, dest0, chmod }: CopyPlan): string {
  const hash = createHash('sha256');
  for (const src of sources) hashTree(src.path, hash);
  // Owner and mode are part of what the step produces, so of its cache key.
  if (ins.flags.chown || chmod) hash.update(`chown=${ins.flags.chown ?? ''} chmod=${chmod ?? ''}`);
  const kind = sources.length === 1 && lstatSync(sources[0]!.path).isDirectory() ? 'dir' : sources.length > 1 ? 'multi' : 'file';
  return `/bin/sh -c #(nop) ${ins.cmd} ${kind}:${hash.digest('hex')} in ${dest0} `;
}

async function copyOne(b: BuildState, cid: string, { ins, dest, destIsDir, chmod }: CopyPlan, src: CopySource): Promise<void> {
  const st = lstatSync(src.path);
  const chown = ins.flags.chown ?? '0:0';
  // A downloaded file is never extracted, as in Docker.
  if (ins.cmd === 'ADD' && !src.remote && st.isFile() && looksLikeArchive(src.path)) {
    await ensureDir(b, cid, dest);
    await b.d.archive.put(cid, dest, await decompressContext(createReadStream(src.path)), chown, BUILD_CONTEXT_LIMITS);
    return;
  }
  // As dockerd: a destination without a trailing slash that is an existing directory gets the file inside it.
  const intoDir = destIsDir || (!st.isDirectory() && (await b.d.archive.kind(cid, dest)) === 'dir');
  const target = st.isDirectory() ? dest : intoDir ? posix.join(dest, basename(src.path)) : dest;
  await ensureDir(b, cid, st.isDirectory() ? target : posix.dirname(target));
  const packed = packPath(src.path, { rebase: target.slice(1) || '.' });
  const tar = chmod ? withMode(packed, parseInt(chmod, 8), target.slice(1)) : packed;
  await b.d.archive.put(cid, '/', tar, chown);
}
