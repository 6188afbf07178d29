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
  /** Set by Docker's legacy builder and commit: the container the image was made from. */
  container?: string;
  container_config?: Record<string, unknown>;
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

/** The image-config keys of the Docker/OCI image spec (`DockerOCIImageConfig`), all omitted when empty. */
const IMAGE_CONFIG_KEYS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped', 'Healthcheck', 'OnBuild', 'Shell'];

/** Keys dockerd always writes in an image's Config (they had no omitempty; moby#50134). */
const ALWAYS_IN_IMAGE_CONFIG: Record<string, unknown> = { Cmd: null, Entrypoint: null, Env: null, Labels: null, OnBuild: null, User: '', Volumes: null, WorkingDir: '' };

/** Go's omitempty: false, 0, "", null, and empty lists and maps are left out (a pointer to an object is kept). */
function goEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

function emptyMap(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

function sortedKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/**
 * An image's Config as dockerd (API 1.50+) writes it: only the image-spec keys, empty ones left out,
 * then the eight keys that are always there. Go marshals it from a map, so the keys come sorted.
 */
export function imageConfigView(config: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ALWAYS_IN_IMAGE_CONFIG };
  for (const k of IMAGE_CONFIG_KEYS) {
    const v = config?.[k];
    if (goEmpty(v)) continue;
    // Maps are omitempty too (Healthcheck is a pointer: kept even when empty).
    if (k !== 'Healthcheck' && emptyMap(v)) continue;
    out[k] = v;
  }
  return sortedKeys(out);
}

/** Go's container.Config as marshalled in full (ContainerConfig of API < 1.45), from a stored one. */
export function containerConfigView(c: Record<string, unknown> | undefined): Record<string, unknown> {
  const s = c ?? {};
  const out: Record<string, unknown> = {
    Hostname: s.Hostname ?? '',
    Domainname: s.Domainname ?? '',
    User: s.User ?? '',
    AttachStdin: s.AttachStdin ?? false,
    AttachStdout: s.AttachStdout ?? false,
    AttachStderr: s.AttachStderr ?? false,
  };
  if (!goEmpty(s.ExposedPorts) && !emptyMap(s.ExposedPorts)) out.ExposedPorts = s.ExposedPorts;
  Object.assign(out, { Tty: s.Tty ?? false, OpenStdin: s.OpenStdin ?? false, StdinOnce: s.StdinOnce ?? false, Env: s.Env ?? null, Cmd: s.Cmd ?? null });
  if (s.Healthcheck) out.Healthcheck = s.Healthcheck;
  if (s.ArgsEscaped) out.ArgsEscaped = true;
  Object.assign(out, { Image: s.Image ?? '', Volumes: s.Volumes ?? null, WorkingDir: s.WorkingDir ?? '', Entrypoint: s.Entrypoint ?? null });
  if (s.NetworkDisabled) out.NetworkDisabled = true;
  if (s.MacAddress) out.MacAddress = s.MacAddress;
  Object.assign(out, { OnBuild: s.OnBuild ?? null, Labels: s.Labels ?? null });
  if (s.StopSignal) out.StopSignal = s.StopSignal;
  if (s.StopTimeout !== undefined && s.StopTimeout !== null) out.StopTimeout = s.StopTimeout;
  if (!goEmpty(s.Shell)) out.Shell = s.Shell;
  return out;
}

/**
 * GET /images/{name}/json in the newest shape, plus what dockerd's image store fills for the old
 * ones (Container, ContainerConfig): the API's version gates take away what a version lacks.
 */
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
  };
  // API 1.44+ leaves Created out when the image config has none.
  if (c.created) out.Created = c.created;
  if (c.container) out.Container = c.container;
  Object.assign(out, {
    ContainerConfig: containerConfigView(c.container_config),
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: imageConfigView(c.config),
    Architecture: c.architecture ?? '',
  });
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
