import { applyGates, gateApplies, type Gate } from './gate-table.js';

// Query parameters and stream behaviours dockerd (moby v28.5.2 routers) only honours from some
// API version on. Older clients that send them anyway get them ignored, as dockerd does.

/** Per route: parameter -> the first API version that reads it. */
export const QUERY_PARAMS_SINCE = {
  'container.create': { platform: '1.41' },
  'container.stop': { signal: '1.42' },
  'container.restart': { signal: '1.42' },
  'container.stats': { 'one-shot': '1.41' },
  'container.wait': { condition: '1.30' },
  'image.create': { platform: '1.32' },
  'image.push': { platform: '1.46' },
  'image.list': { 'shared-size': '1.42', manifests: '1.47' },
  'image.inspect': { manifests: '1.48', platform: '1.49' },
  'image.history': { platform: '1.48' },
  'image.get': { platform: '1.48' },
  'image.load': { platform: '1.48' },
  'image.delete': { platforms: '1.50' },
  build: { platform: '1.32', outputs: '1.40' },
  'system.df': { type: '1.42' },
} as const satisfies Record<string, Record<string, string>>;

export type QueryRoute = keyof typeof QUERY_PARAMS_SINCE | 'container.attach-ws';

/** Gates on a query that do more than drop a parameter. */
const EXTRA_QUERY_GATES: Partial<Record<QueryRoute, readonly Gate<URLSearchParams>[]>> = {
  'image.list': [
    {
      below: '1.41',
      what: 'the old `filter` parameter is a reference filter',
      apply(q) {
        const ref = q.get('filter');
        if (!ref) return;
        let f: Record<string, unknown> = {};
        try {
          f = JSON.parse(q.get('filters') || '{}') as Record<string, unknown>;
        } catch {
          return; // an unreadable filters parameter is refused later, as it stands
        }
        const prev = f.reference;
        const refs: Record<string, boolean> = Array.isArray(prev) ? Object.fromEntries(prev.map((r) => [String(r), true])) : { ...((prev as Record<string, boolean>) ?? {}) };
        refs[ref] = true;
        q.set('filters', JSON.stringify({ ...f, reference: refs }));
      },
    },
  ],
  'container.attach-ws': [
    {
      below: '1.42',
      what: 'stdin, stdout and stderr are ignored: all three streams are attached',
      apply(q) {
        for (const k of ['stdin', 'stdout', 'stderr']) q.set(k, '1');
      },
    },
  ],
};

/** Rewrites `query` in place to what dockerd reads from it at `version`. */
export function gateQuery(query: URLSearchParams, version: string, route: QueryRoute): URLSearchParams {
  const since = (QUERY_PARAMS_SINCE as Record<string, Record<string, string>>)[route] ?? {};
  for (const [param, from] of Object.entries(since)) {
    if (!gateApplies({ from }, version)) query.delete(param);
  }
  const extra = EXTRA_QUERY_GATES[route];
  if (extra) applyGates(extra, version, query);
  return query;
}

/** Behaviours of a route or stream that changed at a version (true from `from` on). */
export const BEHAVIOURS = {
  /** Logs, attach and exec without a TTY answer `application/vnd.docker.multiplexed-stream`. */
  multiplexedContentType: { from: '1.42', what: 'a multiplexed stream says so in its Content-Type' },
  /** POST /containers/{id}/wait sends its headers at once, before the container exits. */
  waitHeadersFirst: { from: '1.30', what: 'wait answers its headers at once' },
  /** A failed removal under wait?condition=removed is reported in Error, not by an empty body. */
  waitRemovalError: { from: '1.34', what: 'wait reports a failed removal in its Error' },
  /** attach/ws sends binary frames (text frames before). */
  websocketBinaryFrames: { from: '1.28', what: 'attach over websocket sends binary frames' },
  /** GET /networks leaves out each network's containers (they are in GET /networks/{id}). */
  networkListBrief: { from: '1.28', what: 'the network list leaves out the containers' },
  /** POST /build reports image IDs in aux messages. */
  buildAuxMessages: { from: '1.30', what: 'build reports the image ID in an aux message' },
} as const;

export function behaves(version: string, name: keyof typeof BEHAVIOURS): boolean {
  return gateApplies(BEHAVIOURS[name], version);
}
