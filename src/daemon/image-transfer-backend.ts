import type { ImageTransferBackend } from '../api/routes/image-transfer.js';
import { commitContainer } from '../engine/containers/container-commit.js';
import type { ImageStoreParts } from '../engine/images/image-archive-layers.js';
import { loadImages } from '../engine/images/image-archive-load.js';
import { saveImages } from '../engine/images/image-archive-save.js';
import { importImage } from '../engine/images/image-import.js';
import { pushImage } from '../engine/images/image-push.js';
import { RegistryClient } from '../engine/images/registry-client.js';
import type { Services } from './services.js';

/** Save, load, import, push and commit, wired to the image store and the containers. */
export function imageTransferBackend(s: Services): ImageTransferBackend {
  const parts: ImageStoreParts = { repo: s.images.repo, content: s.images.content, layers: s.images.layers, paths: s.paths, logger: s.logger };
  const getImage = (ref: string) => s.images.getImage(ref);
  const emit = (action: string, id: string, name?: string) =>
    s.events.emit({ Type: 'image', Action: action, Actor: { ID: id, Attributes: name === undefined ? {} : { name } } });
  let registry: RegistryClient | undefined;
  const pushRegistry = (): RegistryClient => {
    if (!registry) {
      const client = new RegistryClient({ insecureRegistries: s.config['insecure-registries'], mirrors: [], logger: s.logger });
      registry = client;
      s.closers.push(() => client.close());
    }
    return registry;
  };
  return {
    save: (names) => saveImages({ ...parts, getImage }, names),
    load: async (body, o, onMessage) => {
      const r = await loadImages(parts, body, o, onMessage);
      for (const line of r.loaded) emit('load', line.replace(/^Loaded image(?: ID)?: /, ''));
      return r;
    },
    importImage: async (body, o) => {
      const r = await importImage(parts, body, o);
      emit('import', r.id);
      return r;
    },
    push: async (name, tag, auth, onProgress) => {
      await pushImage({ ...parts, registry: pushRegistry(), getImage }, name, tag, auth, onProgress);
      emit('push', tag ? `${name}:${tag}` : name);
    },
    commit: (o) =>
      commitContainer(
        {
          ...parts,
          containers: s.containers,
          getImage,
          upperDir: (id) => `${s.paths.containerDir(id)}/upper`,
          emit,
        },
        o,
      ),
  };
}
