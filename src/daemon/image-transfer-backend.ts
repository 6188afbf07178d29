import type { ImageTransferBackend } from '../api/routes/image-transfer.js';
import type { Services } from './services.js';

/** Save, load, import, push and commit, wired to the image service and the containers. */
export function imageTransferBackend(s: Services): ImageTransferBackend {
  const emit = (action: string, id: string, name?: string) =>
    s.events.emit({ Type: 'image', Action: action, Actor: { ID: id, Attributes: name === undefined ? {} : { name } } });
  return {
    save: (names) => s.images.save(names),
    load: async (body, o, onMessage) => {
      const r = await s.images.load(body, o, onMessage);
      for (const line of r.loaded) emit('load', line.replace(/^Loaded image(?: ID)?: /, ''));
      return r;
    },
    importImage: async (body, o) => {
      const r = await s.images.importImage(body, o);
      emit('import', r.id);
      return r;
    },
    push: async (name, tag, auth, onProgress) => {
      await s.images.push(name, tag, auth, onProgress);
      emit('push', tag ? `${name}:${tag}` : name);
    },
    commit: (o) => s.images.commit(o, s.containers),
  };
}
