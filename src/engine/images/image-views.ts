import type { BerthPaths } from '../../common/paths.js';
import type { ImageRow } from '../../store/image-repository.js';
import { familiarize } from './reference.js';

// Docker's JSON shapes of an image: ImageInspect, ImageSummary and history items.

/** The parts of an OCI/Docker image config berth reads. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  docker_version?: string;
  comment?: string;
  config?: Record<string, unknown> & { Labels?: Record<string, string> | null };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: { created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }[];
}

export interface ImageRecord {
  id: string;
  config: ImageConfig;
  /** Normalised refs, e.g. docker.io/library/nginx:latest. */
  repoTags: string[];
  repoDigests: string[];
  layers: { chainId: string; diffId: string; digest: string; size: number }[];
  size: number;
  /** Unix seconds the image was stored here. */
  created: number;
  /** The image it was committed or built from here, if any. */
  parent?: string | null;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function toRecord(row: ImageRow, tags: string[], digests: string[]): ImageRecord {
  return {
    id: row.id,
    config: JSON.parse(row.config) as ImageConfig,
    repoTags: tags,
    repoDigests: digests,
    layers: row.layers.map(({ chainId, diffId, digest, size }) => ({ chainId, diffId, digest, size })),
    size: row.size,
    created: row.created,
    parent: row.parent ?? null,
  };
}

export function createdSeconds(img: ImageRecord): number {
  const t = img.config.created ? Date.parse(img.config.created) : NaN;
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

export function inspectImage(img: ImageRecord, paths: BerthPaths): Record<string, unknown> {
  const c = img.config;
  const diffs = img.layers.map((l) => paths.layerDiff(l.chainId));
  const top = img.layers[img.layers.length - 1];
  const graphData: Record<string, string> = top
    ? {
        MergedDir: paths.layerDir(top.chainId) + '/merged',
        UpperDir: diffs[diffs.length - 1]!,
        WorkDir: paths.layerDir(top.chainId) + '/work',
      }
    : {};
  if (diffs.length > 1) graphData.LowerDir = diffs.slice(0, -1).reverse().join(':');
  const out: Record<string, unknown> = {
    Id: img.id,
    RepoTags: img.repoTags.map(familiarize),
    RepoDigests: img.repoDigests.map(familiarize),
    Parent: img.parent ?? '',
    Comment: c.comment ?? '',
    Created: c.created ?? ZERO_TIME,
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: c.config ?? null,
    Architecture: c.architecture ?? '',
  };
  if (c.variant) out.Variant = c.variant;
  Object.assign(out, {
    Os: c.os ?? '',
    Size: img.size,
    GraphDriver: { Name: 'overlay2', Data: graphData },
    RootFS: { Type: 'layers', Layers: img.layers.map((l) => l.diffId) },
    Metadata: { LastTagTime: ZERO_TIME },
  });
  return out;
}

export function summarizeImage(img: ImageRecord, containers: number): Record<string, unknown> {
  return {
    Containers: containers,
    Created: createdSeconds(img),
    Id: img.id,
    Labels: img.config.config?.Labels ?? {},
    ParentId: img.parent ?? '',
    RepoDigests: img.repoDigests.map(familiarize),
    RepoTags: img.repoTags.map(familiarize),
    SharedSize: -1,
    Size: img.size,
  };
}

/** `docker history`: newest first; as in dockerd, the entries take the ids and tags of the image and its local parents in turn. */
export function historyOf(img: ImageRecord, lookup: (id: string) => ImageRecord | undefined = () => undefined): Record<string, unknown>[] {
  const entries = img.config.history ?? [];
  const layerSizes = img.layers.map((l) => l.size);
  let layerIdx = 0;
  const items = entries.map((h) => {
    const size = h.empty_layer ? 0 : (layerSizes[layerIdx++] ?? 0);
    return {
      Id: '<missing>',
      Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: null as string[] | null,
      Size: size,
      Comment: h.comment ?? '',
    };
  });
  if (items.length === 0) {
    items.push({ Id: '<missing>', Created: createdSeconds(img), CreatedBy: '', Tags: null, Size: img.size, Comment: '' });
  }
  items.reverse();
  let cur: ImageRecord | undefined = img;
  for (const item of items) {
    item.Id = cur.id;
    item.Tags = cur.repoTags.length ? cur.repoTags.map(familiarize) : null;
    cur = cur.parent ? lookup(cur.parent) : undefined;
    if (!cur) break;
  }
  return items;
}
