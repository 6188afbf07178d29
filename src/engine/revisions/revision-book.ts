import { NotFoundError } from '../../common/errors.js';
import { isJsonObject, objectAt, type JsonObject } from '../../common/json-object.js';
import type { RevisionRepository, RevisionRow } from '../../store/revision-repository.js';
import type { ContainerRecord } from '../containers/container-model.js';
import type { ImageRecord } from '../images/image-views.js';
import { fullName, parseNormalizedNamed } from '../images/reference.js';
import type { CreateBody, RevisionContainers, RevisionImages, RevisionOptions } from './ports.js';
import type { Logger } from '../../common/logger.js';

/**
 * The create request as the client sent it, kept whole so it can be re-applied to another image:
 * free-form JSON (keys berth does not know are kept), so each part is read with a check.
 */
export type CreateRequestParts = {
  Config: JsonObject;
  HostConfig: JsonObject;
  NetworkingConfig: JsonObject;
};

export function splitRequest(body: unknown): CreateRequestParts {
  const { HostConfig, NetworkingConfig, ...config } = structuredClone(isJsonObject(body) ? body : {});
  return { Config: config, HostConfig: objectAt(HostConfig) ?? {}, NetworkingConfig: objectAt(NetworkingConfig) ?? {} };
}

/** A revision's stored request read back (a JSON column): its three parts, an empty one for any missing. */
export function storedRequest(stored: unknown): CreateRequestParts {
  const r = objectAt(stored) ?? {};
  return { ...r, Config: objectAt(r.Config) ?? {}, HostConfig: objectAt(r.HostConfig) ?? {}, NetworkingConfig: objectAt(r.NetworkingConfig) ?? {} };
}

/** The repo digest of `img` for the repository `ref` names (or its first one). */
export function repoDigestOf(img: ImageRecord, ref: string): string | null {
  let name: string | undefined;
  try {
    name = fullName(parseNormalizedNamed(ref));
  } catch {
    name = undefined;
  }
  return img.repoDigests.find((d) => name !== undefined && d.startsWith(`${name}@`)) ?? img.repoDigests[0] ?? null;
}

/**
 * The revisions of each container line: revision 1 at create, one more per upgrade, trimmed to
 * the configured depth. A line is named by its first container's id, since an upgrade gives the
 * container a new id under the same name.
 */
export class RevisionBook {
  constructor(
    private readonly d: { repo: RevisionRepository; containers: RevisionContainers; images: RevisionImages; logger: Logger; options: RevisionOptions },
  ) {}

  /** Revision 1 of a container the API just created, with its request as given. */
  recordCreated(containerId: string, body: CreateBody): void {
    const c = this.d.containers.get(containerId);
    const img = this.d.images.getImage(c.Image);
    const ref = String(body.Image ?? c.Config.Image);
    this.d.repo.insert({
      lineage: c.Id,
      revision: 1,
      containerId: c.Id,
      name: c.Name.slice(1),
      imageRef: ref,
      imageId: img.id,
      repoDigest: repoDigestOf(img, ref),
      request: splitRequest(body),
      created: c.Created,
      state: 'current',
      reason: null,
      logs: null,
      ended: null,
    });
  }

  /** The line of a container; one made before revisions existed gets revision 1 from its record. */
  lineageOf(c: ContainerRecord): string {
    const found = this.d.repo.lineageOfContainer(c.Id);
    if (found) return found;
    let imageId = c.Image;
    let digest: string | null = null;
    try {
      const img = this.d.images.getImage(c.Image);
      imageId = img.id;
      digest = repoDigestOf(img, c.Config.Image);
    } catch {
      // The image is gone; the revision still names its id.
    }
    this.d.repo.insert({
      lineage: c.Id,
      revision: 1,
      containerId: c.Id,
      name: c.Name.slice(1),
      imageRef: c.Config.Image,
      imageId,
      repoDigest: digest,
      request: { Config: { ...c.Config }, HostConfig: { ...c.HostConfig }, NetworkingConfig: { EndpointsConfig: c.endpointsConfig ?? {} } },
      created: c.Created,
      state: 'current',
      reason: null,
      logs: null,
      ended: null,
    });
    return c.Id;
  }

  /** Newest first; for `berth revisions`. */
  list(ref: string): RevisionRow[] {
    const c = this.d.containers.get(ref);
    return this.d.repo.ofLineage(this.lineageOf(c));
  }

  revisions(lineage: string): RevisionRow[] {
    return this.d.repo.ofLineage(lineage);
  }

  current(lineage: string): RevisionRow {
    const cur = this.d.repo.ofLineage(lineage).find((r) => r.state === 'current');
    if (!cur) throw new NotFoundError(`no current revision for container line ${lineage}`);
    return cur;
  }

  /** Drops the oldest revisions beyond the configured depth; the current and pending ones stay. */
  trim(lineage: string): void {
    const rows = this.d.repo.ofLineage(lineage);
    let kept = 0;
    for (const r of rows) {
      if (r.state === 'current' || r.state === 'pending' || kept < this.d.options.historyDepth) {
        kept++;
        continue;
      }
      this.d.repo.removeRevision(lineage, r.revision);
    }
  }

  /** The container and revision that keep an image from prune and rmi, if any. */
  protectorOf(imageId: string): { name: string; revision: number } | undefined {
    const r = this.d.repo.byImage(imageId)[0];
    return r && { name: r.name, revision: r.revision };
  }

  protectedImages(): Set<string> {
    return new Set(this.d.repo.imageIds());
  }

  /** A removed container takes its history with it, unless an upgrade is moving it. */
  containerDestroyed(containerId: string): void {
    const lineage = this.d.repo.lineageOfContainer(containerId);
    if (!lineage || this.d.repo.getUpgrade(lineage)) return;
    const cur = this.d.repo.ofLineage(lineage).find((r) => r.state === 'current');
    if (cur && cur.containerId !== containerId) return;
    this.d.repo.removeLineage(lineage);
    this.d.logger.debug({ containerId, lineage }, 'revisions removed with their container');
  }
}
