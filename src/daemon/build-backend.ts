import { mkdtempSync, rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { BuildBackend, BuildRequest } from '../api/routes/image-build.js';
import { NotFoundError } from '../common/errors.js';
import { unpackInto } from '../common/archive/unpack.js';
import { extractContext } from '../engine/builder/build-context.js';
import { ImageBuilder } from '../engine/builder/image-builder.js';
import { parseNormalizedNamed } from '../engine/images/reference.js';
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
  const extractTo = (dir: string, tar: Readable) =>
    unpackInto({ resolve: (p) => followSymlinkInScope(dir, p) }, '/', tar, { noOverwriteDirNonDir: false, noLchown: false });

  return {
    async build(context: Readable, req: BuildRequest, emit) {
      const dir = mkdtempSync(s.paths.buildContextPrefix);
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
            childrenOf: (id) => (id ? s.images.childrenOf(id) : []),
            scratch: () => s.images.scratch(),
            storeConfigOnly: (parent, config, createdBy, author) => s.images.storeConfigOnly(parent, config, createdBy, author),
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
          // A build step's commit is no `commit` event (dockerd's builder does not emit one either).
          commit: async (cid, config, createdBy, author) =>
            (await s.images.commit({ container: cid, replaceConfig: config, createdBy, author, pause: false }, s.containers, { events: false })).Id,
          followLogs: (path, until) => s.logs(path, { follow: true, until_stopped: until.then(() => undefined) }),
          logger: s.logger,
        });
        return await builder.build(dir, req, emit);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // Build steps are ordinary (untagged, parented) images: `image prune` takes them, not this.
    prune: async () => ({ CachesDeleted: null, SpaceReclaimed: 0 }),
  };
}
