import type { ContainerRecord } from '../containers/container-model.js';
import type { CreateRequestParts } from './revision-book.js';

/**
 * The create body for the next container of a line: the revision's request as given, re-applied to
 * `image`, so what came from the old image (Cmd, Env, Healthcheck …) comes from the new one and what
 * the user set stays. From the live container it takes its networks (connects made since create
 * included) and its anonymous volumes, carried over by name so the data stays.
 */
export function recreateBody(req: CreateRequestParts, live: ContainerRecord, image: string): Record<string, any> {
  const hostConfig = structuredClone(req.HostConfig ?? {});
  const body: Record<string, any> = {
    ...structuredClone(req.Config ?? {}),
    Image: image,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: structuredClone(live.endpointsConfig ?? req.NetworkingConfig?.EndpointsConfig ?? {}) },
  };
  const given = givenDestinations(hostConfig);
  const carried: Record<string, any>[] = [];
  for (const m of live.Mounts ?? []) {
    if (m.Type !== 'volume' || !m.Name || given.has(m.Destination)) continue;
    carried.push({ Type: 'volume', Source: m.Name, Target: m.Destination, ReadOnly: !m.RW });
  }
  if (carried.length) {
    const dests = new Set(carried.map((m) => m.Target));
    // An unnamed --mount at the same place would make a fresh volume: the carried one replaces it.
    const kept = ((hostConfig.Mounts ?? []) as Record<string, any>[]).filter((m) => !(dests.has(clean(m.Target ?? m.Destination ?? '')) && !m.Source));
    hostConfig.Mounts = [...kept, ...carried];
  }
  return body;
}

/** Destinations the request itself fills with a named volume or a bind. */
function givenDestinations(h: Record<string, any>): Set<string> {
  const out = new Set<string>();
  for (const b of (h.Binds ?? []) as string[]) {
    const parts = b.split(':');
    if (parts.length >= 2) out.add(clean(parts[1]!));
  }
  for (const m of (h.Mounts ?? []) as Record<string, any>[]) if (m.Source) out.add(clean(m.Target ?? m.Destination ?? ''));
  return out;
}

function clean(p: string): string {
  return p.replace(/(.)\/+$/, '$1');
}
