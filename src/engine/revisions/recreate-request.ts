import { objectAt, objectsIn, type JsonObject } from '../../common/json-object.js';
import type { ContainerRecord } from '../containers/container-model.js';
import type { CreateRequestParts } from './revision-book.js';

/** The next container's create body: Config's fields with Docker's HostConfig and EndpointsConfig beside them. */
export type RecreatedBody = JsonObject & {
  Image: string;
  HostConfig: ContainerRecord['HostConfig'];
  NetworkingConfig: { EndpointsConfig: ContainerRecord['endpointsConfig'] };
};

/**
 * The create body for the next container of a line: the revision's request as given, re-applied to
 * `image`, so what came from the old image (Cmd, Env, Healthcheck …) comes from the new one and what
 * the user set stays. From the live container it takes its networks (connects made since create
 * included) and its anonymous volumes, carried over by name so the data stays.
 */
export function recreateBody(req: CreateRequestParts, live: ContainerRecord, image: string): RecreatedBody {
  const hostConfig = structuredClone(req.HostConfig ?? {});
  const body = {
    ...structuredClone(req.Config ?? {}),
    Image: image,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: structuredClone(live.endpointsConfig ?? objectAt(req.NetworkingConfig)?.EndpointsConfig ?? {}) },
  };
  const given = givenDestinations(hostConfig);
  const carried: JsonObject[] = [];
  for (const m of live.Mounts ?? []) {
    if (m.Type !== 'volume' || !m.Name || given.has(m.Destination)) continue;
    carried.push({ Type: 'volume', Source: m.Name, Target: m.Destination, ReadOnly: !m.RW });
  }
  if (carried.length) {
    const dests = new Set(carried.map((m) => m.Target));
    // An unnamed --mount at the same place would make a fresh volume: the carried one replaces it.
    const kept = objectsIn(hostConfig.Mounts).filter((m) => !(dests.has(mountTarget(m)) && !m.Source));
    hostConfig.Mounts = [...kept, ...carried];
  }
  // The request was decoded against Docker's types when the container was created: it has their shape.
  return body as unknown as RecreatedBody;
}

/** Destinations the request itself fills with a named volume or a bind. */
function givenDestinations(h: JsonObject): Set<string> {
  const out = new Set<string>();
  for (const b of Array.isArray(h.Binds) ? h.Binds : []) {
    const parts = String(b).split(':');
    if (parts.length >= 2) out.add(clean(parts[1]!));
  }
  for (const m of objectsIn(h.Mounts)) if (m.Source) out.add(mountTarget(m));
  return out;
}

/** A mount's path in the container, as its Target (or Destination) names it. */
function mountTarget(m: JsonObject): string {
  return clean(String(m.Target ?? m.Destination ?? ''));
}

function clean(p: string): string {
  return p.replace(/(.)\/+$/, '$1');
}
