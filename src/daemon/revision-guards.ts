import { ConflictError } from '../common/errors.js';
import type { ContainerService } from '../engine/containers/container-service.js';
import type { ImageService, ImageUsage } from '../engine/images/image-service.js';
import type { RevisionService } from '../engine/revisions/revision-service.js';

// Where revisions meet the Docker API: creates through the API record revision 1; images that a
// kept revision names survive `image prune` and a plain `rmi`.

/** The container service as the API sees it: a create records the request as the client sent it. */
export function recordingCreates(containers: ContainerService, revisions: RevisionService): ContainerService {
  const create: ContainerService['create'] = async (req) => {
    const created = await containers.create(req);
    revisions.recordCreated(created.Id, req.body);
    return created;
  };
  return new Proxy(containers, {
    get(target, prop) {
      if (prop === 'create') return create;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Image prune and rmi that keep the images of kept revisions. */
export function revisionAwareImages(images: ImageService, revisions: RevisionService): ImageService {
  const guarded = (used: ImageUsage): ImageUsage => (id) => used(id) || !!revisions.protectorOf(id);
  const prune: ImageService['prune'] = (opts, used) => images.prune(opts, guarded(used));
  const remove: ImageService['remove'] = (ref, opts, used) => {
    if (!opts.force) {
      const img = images.getImage(ref);
      const keeper = revisions.protectorOf(img.id);
      // Only a removal that would delete the image is refused; dropping one of several tags is not.
      const byId = /^(sha256:)?[0-9a-f]{4,64}$/.test(ref) && img.id.slice(7).startsWith(ref.replace(/^sha256:/, ''));
      // An image a container uses gets dockerd's own conflict from the image service.
      if (keeper && !used(img.id) && (byId || img.repoTags.length <= 1)) {
        throw new ConflictError(
          `conflict: unable to remove image ${ref} (must force) - it is kept by revision ${keeper.revision} of container ${keeper.name} for rollback`,
        );
      }
    }
    return images.remove(ref, opts, used);
  };
  return new Proxy(images, {
    get(target, prop) {
      if (prop === 'prune') return prune;
      if (prop === 'remove') return remove;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
