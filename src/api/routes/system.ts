import { UnavailableError, NotImplementedError } from '../../common/errors.js';
import type { EventBus } from '../../engine/events/event-bus.js';
import { followEvents } from '../../engine/events/event-stream.js';
import type { HostCheck } from '../../common/host-check-report.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { NdjsonStream } from '../streams/ndjson.js';
import { parseTimeParam } from '../../common/time-param.js';
import { API_VERSION, MIN_API_VERSION } from '../version.js';
import { applyGates, gateQuery, DISK_USAGE_GATES, EVENT_GATES, INFO_GATES } from '../versions/index.js';

/** What the system routes need from the engine. */
export interface SystemBackend {
  version(): Record<string, unknown>;
  info(): Promise<Record<string, unknown>>;
  diskUsage?(ctx: { types: string[] }): Promise<Record<string, unknown>>;
  /** berth's own: the host checks of `berth doctor`. */
  hostChecks?(): Promise<HostCheck[]>;
  events: Pick<EventBus, 'history' | 'subscribe'>;
}

const SWARM_INACTIVE =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

export function registerSystemRoutes(router: Router, b: SystemBackend): void {
  const ping = (ctx: RequestContext) => {
    ctx.handled = true;
    const res = ctx.res!;
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': 2,
      'Api-Version': API_VERSION,
      'Builder-Version': '1',
      Swarm: 'inactive',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
    });
    res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
  };
  router.get('/_ping', ping).head('/_ping', ping);
  router.get('/version', () => b.version());
  router.get('/info', async (ctx) => applyGates(INFO_GATES, ctx.apiVersion, structuredClone(await b.info())));
  router.get('/events', (ctx) => streamEvents(ctx, b.events));
  if (b.diskUsage) {
    const du = b.diskUsage.bind(b);
    router.get('/system/df', async (ctx) => {
      gateQuery(ctx.query, ctx.apiVersion, 'system.df');
      return applyGates(DISK_USAGE_GATES, ctx.apiVersion, await du({ types: ctx.query.getAll('type') }));
    });
  }
  if (b.hostChecks) {
    const checks = b.hostChecks.bind(b);
    router.get('/berth/v1/doctor', async () => ({ Checks: await checks() }));
  }

  // Swarm is never active in berth: answer as an unjoined dockerd does.
  const swarmOff = () => {
    throw new UnavailableError(SWARM_INACTIVE);
  };
  for (const p of ['/swarm', '/services', '/services/{id}', '/nodes', '/nodes/{id}', '/tasks', '/tasks/{id}', '/secrets', '/secrets/{id}', '/configs', '/configs/{id}']) {
    router.get(p, swarmOff);
  }
  for (const p of ['/swarm/init', '/swarm/join', '/swarm/leave', '/swarm/update', '/swarm/unlock', '/services/create', '/secrets/create', '/configs/create']) {
    router.post(p, swarmOff);
  }
  router.get('/swarm/unlockkey', swarmOff);
  router.get('/plugins', () => []);
  router.get('/plugins/privileges', () => []);
  const notImplemented = () => {
    throw new NotImplementedError('not implemented: berth has no BuildKit session support');
  };
  router.post('/session', notImplemented).post('/grpc', notImplemented);
}

export const VERSION_FIELDS = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION };

async function streamEvents(ctx: RequestContext, bus: SystemBackend['events']): Promise<void> {
  const abort = new AbortController();
  const request = { since: parseTimeParam(ctx.str('since'), 'since'), until: parseTimeParam(ctx.str('until'), 'until'), filters: ctx.filters(), signal: abort.signal };
  const out = new NdjsonStream(ctx.res!);
  ctx.handled = true;
  ctx.res!.on('close', () => abort.abort());
  out.start();
  await followEvents(bus, request, (e) => {
    if (applyGates(EVENT_GATES, ctx.apiVersion, { event: e as unknown as Record<string, unknown>, skip: false }).skip) return;
    out.write(e);
  });
  out.end();
}
