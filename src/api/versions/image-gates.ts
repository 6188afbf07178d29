import { objectAt, type JsonObject as Json } from '../../common/json-object.js';
import type { Gate } from './gate-table.js';

// Gates of moby v28.5.2 api/server/router/image/image_routes.go and inspect_response.go.

/** Config keys dockerd wrote for API < 1.50, always empty for an image (moby#48457). */
const LEGACY_CONFIG_V149: Json = {
  AttachStderr: false,
  AttachStdin: false,
  AttachStdout: false,
  Cmd: null,
  Domainname: '',
  Entrypoint: null,
  Env: null,
  Hostname: '',
  Image: '',
  Labels: null,
  OnBuild: null,
  OpenStdin: false,
  StdinOnce: false,
  Tty: false,
  User: '',
  Volumes: null,
  WorkingDir: '',
};

/** GET /images/{name}/json */
export const IMAGE_INSPECT_GATES: readonly Gate<Json>[] = [
  {
    below: '1.44',
    what: 'VirtualSize is set (to Size); a missing Created is 0001-01-01T00:00:00Z',
    apply(img) {
      img.VirtualSize = img.Size;
      if (!img.Created) img.Created = '0001-01-01T00:00:00Z';
    },
  },
  {
    from: '1.45',
    what: 'Container and ContainerConfig are no longer included',
    apply(img) {
      delete img.Container;
      delete img.ContainerConfig;
    },
  },
  { below: '1.48', what: 'no Descriptor', apply: (img) => void delete img.Descriptor },
  {
    below: '1.50',
    what: 'Config also carries the container-only keys (Hostname, Tty, Image, ...), always empty',
    apply(img) {
      const merged: Json = { ...LEGACY_CONFIG_V149, ...objectAt(img.Config) };
      img.Config = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
    },
  },
];

function listLength(v: unknown): number {
  return Array.isArray(v) ? v.length : 0;
}

/** GET /images/json (each item) */
export const IMAGE_LIST_GATES: readonly Gate<Json>[] = [
  {
    below: '1.43',
    what: 'an untagged image lists <none>:<none> and <none>@<none>',
    apply(img) {
      if (!listLength(img.RepoTags) && !listLength(img.RepoDigests)) {
        img.RepoTags = ['<none>:<none>'];
        img.RepoDigests = ['<none>@<none>'];
      }
    },
  },
  { below: '1.44', what: 'VirtualSize is set (to Size)', apply: (img) => void (img.VirtualSize = img.Size) },
  { below: '1.48', what: 'no Descriptor', apply: (img) => void delete img.Descriptor },
  { below: '1.51', what: 'Containers is always -1', apply: (img) => void (img.Containers = -1) },
];
