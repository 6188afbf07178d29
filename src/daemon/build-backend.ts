import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BuildBackend, BuildRequest } from '../api/routes/image-build.js';
import { NotFoundError } from '../common/errors.js';
import { unpackInto } from '../common/archive/unpack.js';
import { commitContainer } from '../engine/containers/container-commit.js';
import { extractContext } from '../engine/builder/build-context.js';
import { ImageBuilder } from '../engine/builder/image-builder.js';
import { sha256Digest } from '../engine/images/content-store.js';
import { storeImage, type ImageStoreParts } from '../engine/images/image-archive-layers.js';
import type { ContainerConfig } from '../engine/images/image-config-changes.js';
import { parseNormalizedNamed } from '../engine/images/reference.js';
import type { ImageRecord } from '../engine/images/image-views.js';
import { followSymlinkInScope } from '../engine/volumes/scoped-path.js';
import type { Services } from './services.js';

/** X-Registry-Config's entry for a registry: keyed by host, URL, or (Docker Hub) the v1 index URL. */
function registryAuth(auths: BuildRequest['auths'], domain: string): BuildRequest['auths'][string] | undefined {
  const keys = domain === 'docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'https://docker.io'] : [domain, `https://${domain}`, `http://${domain}`];
  for (const [k, v] of Object.entries(auths)) if (keys.includes(k) || keys.includes(k.replace(/\/+$/, '').replace(/\/v[12]$/, ''))) return v;
  return undefined;
}

/** The builder wired to the daemon's images, containers and archive services. */
export function buildBackend(s: Services): BuildBackend {
  const parts: ImageStoreParts = { repo: s.images.repo, content: s.images.content, layers: s.images.layers, paths: s.paths, logger: s.logger };
  const extractTo = (dir: string, tar: Readable) =>
    unpackInto({ resolve: (p) => followSymlinkInScope(dir, p) }, '/', tar, { noOverwriteDirNonDir: false, noLchown: false });
  // FROM scratch: an image without layers or history, stored (once: its id is its config's digest)
  // so that the first step can create a container of it and a rebuild finds its children.
  const scratch = (): ImageRecord => {
    const config = { architecture: process.arch === 'x64' ? 'amd64' : process.arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {}, history: [] };
    const bytes = Buffer.from(JSON.stringify(config));
    const id = sha256Digest(bytes);
    if (!s.images.repo.get(id)) storeImage(parts, bytes, [], []);
    return s.images.getImage(id);
  };
  const storeConfigOnly = (parent: ImageRecord, config: ContainerConfig, createdBy: string, author?: string): string => {
    const layers = s.images.repo.get(parent.id)!.layers;
    const pc = parent.config;
    const created = new Date().toISOString();
    const doc: Record<string, unknown> = {
      ...pc,
      config,
      created,
      history: [...(pc.history ?? []), { created, ...(author ? { author } : {}), created_by: createdBy, empty_layer: true }],
    };
    // As dockerd's child images: the author is the stage's MAINTAINER, never the parent's.
    if (author) doc.author = author;
    else delete doc.author;
    delete doc.container;
    delete doc.container_config;
    return storeImage(parts, Buffer.from(JSON.stringify(doc)), layers, [], parent.id).id;
  };

  return {
    async build(context: Readable, req: BuildRequest, emit) {
      const dir = mkdtempSync(join(s.paths.dataRoot, 'tmp-build-'));
      try {
        await extractContext(context, dir);
        const builder = new ImageBuilder({
          images: {
            getImage: (ref) => s.images.getImage(ref),
            pull: (ref, platform, onProgress) => {
              const auth = registryAuth(req.auths, parseNormalizedNamed(ref).domain);
              return s.images.pull(ref, { platform, auth }, (m) => onProgress(m as Record<string, unknown>));
            },
            tag: (id, ref) => s.images.tag(id, ref),
            childrenOf: (id) => (id ? s.images.repo.childrenOf(id) : []),
            scratch,
            storeConfigOnly,
          },
          containers: {
            create: async (body) => (await s.containers.create({ body })).Id,
            start: (id) => s.containers.start(id),
            wait: async (id) => (await s.containers.wait(id, 'next-exit')).StatusCode,
            kill: (id) => s.containers.kill(id, 'SIGKILL'),
            remove: (id) => s.containers.remove(id, { force: true, volumes: true }),
            logPath: (id) => s.containers.get(id).LogPath,
          },
          archive: {
            put: (id, path, tar, chownTo, limits) => s.archive.put(id, path, tar, { noOverwriteDirNonDir: false, copyUIDGID: false, chownTo, limits }),
            get: async (id, path) => (await s.archive.get(id, path)).tar,
            kind: async (id, path) => {
              try {
                // Go's os.ModeDir is the top bit of the mode the archive API reports.
                return (await s.archive.stat(id, path)).mode >= 2 ** 31 ? 'dir' : 'other';
              } catch (err) {
                if (err instanceof NotFoundError) return undefined;
                throw err;
              }
            },
            extractTo,
          },
          commit: async (cid, config, createdBy, author) =>
            (
              await commitContainer(
                { ...parts, containers: s.containers, getImage: (ref) => s.images.getImage(ref), upperDir: (id) => `${s.paths.containerDir(id)}/upper` },
                { container: cid, replaceConfig: config, createdBy, author, pause: false },
              )
            ).Id,
          followLogs: (path, until) => s.logs(path, { follow: true, until_stopped: until.then(() => undefined) }),
          logger: s.logger,
        });
        return await builder.build(dir, req, emit);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // Build steps are ordinary (untagged, parented) images: `image prune` takes them, not this.
    prune: async () => {
      s.events.emit({ Type: 'builder', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } } });
      return { CachesDeleted: null, SpaceReclaimed: 0 };
    },
  };
}
