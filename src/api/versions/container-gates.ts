import { objectAt, type JsonObject as Json } from '../../common/json-object.js';
import { dedup, type Gate } from './gate-table.js';

// Response gates of moby v28.5.2 api/server/router/container (inspect.go, container_routes.go).

/** Go's NetworkMode.IsUserDefined: not default, bridge, host, none or container:<id>. */
export function isUserDefinedNetwork(name: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(name) && !name.startsWith('container:');
}

/** GET /containers/{name}/json */
export const CONTAINER_INSPECT_GATES: readonly Gate<Json>[] = [
  {
    below: '1.45',
    what: 'Aliases on user-defined networks also hold the short container ID and the hostname',
    apply(c) {
      const short = String(c.Id ?? '').slice(0, 12);
      const hostname = objectAt(c.Config)?.Hostname ?? '';
      for (const [name, value] of Object.entries(objectAt(objectAt(c.NetworkSettings)?.Networks) ?? {})) {
        const ep = objectAt(value);
        if (!ep || !isUserDefinedNetwork(name)) continue;
        ep.Aliases = dedup([...(Array.isArray(ep.Aliases) ? ep.Aliases : []), short, hostname]);
      }
    },
  },
  { below: '1.48', what: 'no ImageManifestDescriptor', apply: (c) => void delete c.ImageManifestDescriptor },
];

/** GET /containers/json (each item) */
export const CONTAINER_LIST_GATES: readonly Gate<Json>[] = [
  { below: '1.46', what: 'no HostConfig.Annotations', apply: (c) => void delete objectAt(c.HostConfig)?.Annotations },
  { below: '1.48', what: 'no ImageManifestDescriptor', apply: (c) => void delete c.ImageManifestDescriptor },
];
