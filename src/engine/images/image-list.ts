import { InvalidArgumentError } from '../../common/errors.js';
import { createdBefore, matchKVList, validateFilters, type FilterArgs } from '../../common/filters.js';
import { createdSeconds, summarizeImage, type ImageRecord } from './image-views.js';
import type { ImageStore } from './image-store.js';
import { familiarName, familiarString, parseReference } from './reference.js';

// GET /images/json: the summaries with Docker's filters (dangling, label, before, since, reference, until).

export interface ImageListOptions {
  all?: boolean;
  filters?: FilterArgs;
  digests?: boolean;
  containers?: (imageId: string) => number;
  sharedSize?: boolean;
}

const ACCEPTED = ['dangling', 'label', 'before', 'since', 'reference', 'until'];

/** Glob match of Docker's reference filter (path.Match: * and ? do not cross `/`). */
function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`).test(text);
}

/** dangling=true|false (or 1|0); anything else is dockerd's invalid filter. */
function danglingFilter(f: FilterArgs): boolean | undefined {
  const v = f.dangling?.[0];
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError(`invalid filter 'dangling=${v}'`);
}

/** The tags the reference filter keeps (all of them without one); none means the image is left out. */
function matchingTags(img: ImageRecord, patterns: string[] | undefined): string[] {
  if (!patterns?.length) return img.repoTags;
  return img.repoTags.filter((t) => {
    const r = parseReference(t);
    return patterns.some((p) => globMatch(p, familiarString(r)) || globMatch(p, familiarName(r)));
  });
}

/** How many images hold each layer (for SharedSize: shared-size=1, and system df). */
function layerUsers(store: ImageStore): Map<string, number> {
  const users = new Map<string, number>();
  for (const row of store.repo.all()) for (const id of new Set(row.layers.map((l) => l.chainId))) users.set(id, (users.get(id) ?? 0) + 1);
  return users;
}

export function listImages(store: ImageStore, opts: ImageListOptions, getImage: (ref: string) => ImageRecord): Record<string, unknown>[] {
  const f = opts.filters ?? {};
  validateFilters(f, ACCEPTED);
  const dangling = danglingFilter(f);
  const before = f.before?.[0] ? createdSeconds(getImage(f.before[0])) : undefined;
  const since = f.since?.[0] ? createdSeconds(getImage(f.since[0])) : undefined;
  const users = opts.sharedSize ? layerUsers(store) : new Map<string, number>();
  const out: Record<string, unknown>[] = [];
  for (const img of store.records()) {
    const isDangling = img.repoTags.length === 0;
    // An untagged image that others were made from is an intermediate one: only `images -a` shows it.
    if (!opts.all && isDangling && store.repo.childrenOf(img.id).length > 0) continue;
    if (dangling !== undefined && dangling !== isDangling) continue;
    const created = createdSeconds(img);
    if (before !== undefined && created >= before) continue;
    if (since !== undefined && created <= since) continue;
    if (!createdBefore(f, created * 1000)) continue;
    if (!matchKVList(f, 'label', img.config.config?.Labels ?? {})) continue;
    const tags = matchingTags(img, f.reference);
    if (f.reference?.length && tags.length === 0) continue;
    img.repoTags = tags;
    const summary = summarizeImage(img, opts.containers ? opts.containers(img.id) : -1);
    if (opts.sharedSize) summary.SharedSize = img.layers.reduce((sum, l) => sum + ((users.get(l.chainId) ?? 0) > 1 ? l.size : 0), 0);
    out.push(summary);
  }
  out.sort((a, b) => (b.Created as number) - (a.Created as number));
  return out;
}
