import type { ContainerConfig } from '../images/image-config-changes.js';
import { cachedChild } from './build-cache.js';
import { dirTar } from './build-tars.js';
import { shortId, type BuildState, type Stage } from './build-types.js';

// What the steps have in common: take a cached image when there is one, or make the step's image
// (a config-only image, or a container's changes committed) and move the stage onto it.

/** The stage moved onto a cached step's image, said as Docker says it; false on a miss. */
export function useCache(b: BuildState, s: Stage, createdBy: string, config: ContainerConfig): boolean {
  const hit = cachedChild(b, s.image, createdBy, config);
  if (!hit) return false;
  b.say(' ---> Using cache\n');
  b.say(` ---> ${shortId(hit.id)}\n`);
  s.image = hit;
  s.scratch = false;
  return true;
}

/** The stage moved onto the image a step made. */
export function advance(b: BuildState, s: Stage, id: string): void {
  b.say(` ---> ${shortId(id)}\n`);
  s.image = b.d.images.getImage(id);
  s.scratch = false;
}

/** A step that only changes the config: reuse a cached child or store a config-only image. */
export async function metaStep(b: BuildState, s: Stage, config: ContainerConfig, createdBy: string, mkdir?: string): Promise<void> {
  if (!useCache(b, s, createdBy, config)) {
    let id: string;
    if (mkdir && mkdir !== '/') {
      // WORKDIR creates its directory, as Docker's builder does, in a layer of its own.
      id = await withContainer(b, s, createdBy, async (cid) => {
        if (!(await b.d.archive.kind(cid, mkdir))) await b.d.archive.put(cid, '/', dirTar(mkdir), '0:0');
        return b.d.commit(cid, config, createdBy, s.maintainer);
      });
    } else {
      id = b.d.images.storeConfigOnly(s.image, config, createdBy, s.maintainer);
    }
    advance(b, s, id);
  }
  s.config = config;
  s.scratch = false;
}

/**
 * Runs `work` on a container of the stage's image and returns the image it made. The container
 * runs `cmd` (RUN) or, for steps that only write files, a command no one starts.
 */
export async function withContainer(b: BuildState, s: Stage, createdBy: string, work: (id: string) => Promise<string>, cmd?: string[], env?: string[]): Promise<string> {
  const { d, o, say } = b;
  const cid = await d.containers.create({
    ...s.config,
    Image: s.image.id,
    Cmd: cmd ?? ['/bin/sh', '-c', createdBy.replace(/^\/bin\/sh -c /, '')],
    Entrypoint: cmd ? [] : null,
    Env: env ?? s.config.Env ?? null,
    Healthcheck: null,
    Labels: s.config.Labels ?? {},
    HostConfig: { ...o.hostConfig, AutoRemove: false },
  });
  say(` ---> Running in ${shortId(cid)}\n`);
  let ok = false;
  try {
    const id = await work(cid);
    ok = true;
    return id;
  } finally {
    // A canceled build removes its step's container whatever rm says, as dockerd does.
    if (o.forceRm || (ok && o.rm) || o.signal?.aborted) {
      await d.containers.remove(cid).catch((err: unknown) => d.logger.warn({ err, cid }, 'removing build container'));
      say(` ---> Removed intermediate container ${shortId(cid)}\n`);
    }
  }
}

/** Makes `dir` in the container unless something is there already. */
export async function ensureDir(b: BuildState, cid: string, dir: string): Promise<void> {
  if (dir === '/' || (await b.d.archive.kind(cid, dir))) return;
  await b.d.archive.put(cid, '/', dirTar(dir), '0:0');
}
