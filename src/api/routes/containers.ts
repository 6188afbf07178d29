import { InvalidArgumentError, NotImplementedError } from '../../common/errors.js';
import type { Router } from '../router.js';
import { reply } from '../server.js';
import {
  applyGates,
  gateQuery,
  CONTAINER_CREATE_GATES,
  CONTAINER_INSPECT_GATES,
  CONTAINER_LIST_GATES,
  CONTAINER_UPDATE_GATES,
} from '../versions/index.js';
import { decodeCreateBody, decodeUpdateBody } from '../schemas/container-bodies.js';
import type { ContainersBackend, ContainerStateBackend } from './container-backend.js';
import { checkRestartPolicy, stopOptions, ttyDimension } from './container-params.js';
import { registerContainerStreamRoutes } from './container-streams.js';
import { registerExecRoutes } from './exec.js';

export type { ContainersBackend } from './container-backend.js';

/** The container routes: each parses its request, makes one backend call and writes the answer. */
export function registerContainerRoutes(router: Router, b: ContainersBackend): void {
  const svc = b.containers;

  router.get('/containers/json', async (ctx) => {
    const list = await svc.list({
      all: ctx.bool('all') || ctx.bool('before') || ctx.bool('since'),
      filters: ctx.filters(),
      limit: ctx.int('limit', -1)!,
      size: ctx.bool('size'),
    });
    return list.map((v) => applyGates(CONTAINER_LIST_GATES, ctx.apiVersion, v));
  });

  router.post('/containers/create', async (ctx) => {
    const body = await ctx.body(decodeCreateBody);
    if (!body) throw new InvalidArgumentError('config cannot be empty in order to create a container');
    gateQuery(ctx.query, ctx.apiVersion, 'container.create');
    const warnings: string[] = [];
    if (typeof body === 'object' && !Array.isArray(body)) {
      applyGates(CONTAINER_CREATE_GATES, ctx.apiVersion, body, { cgroupVersion: b.cgroupVersion?.(), warnings });
    }
    const created = await svc.create({ name: ctx.str('name') || undefined, body, platform: ctx.str('platform') });
    reply(ctx, 201, warnings.length ? { ...created, Warnings: [...(created.Warnings ?? []), ...warnings] } : created);
  });

  router.post('/containers/prune', (ctx) => svc.prune(ctx.filters()));

  router.get('/containers/{name}/json', async (ctx) => {
    const view = await svc.inspect(ctx.param('name'), { size: ctx.bool('size') });
    // The view shares objects with the stored record: gates work on a copy.
    return applyGates(CONTAINER_INSPECT_GATES, ctx.apiVersion, structuredClone(view));
  });

  router.get('/containers/{name}/top', (ctx) => svc.top(ctx.param('name'), ctx.str('ps_args') || '-ef'));

  registerContainerStreamRoutes(router, svc);
  registerStateRoutes(router, svc);

  router.delete('/containers/{name}', async (ctx) => {
    if (ctx.bool('link')) svc.removeLink(ctx.param('name')); // links (marked edit: networking)
    else await svc.remove(ctx.param('name'), { force: ctx.bool('force'), volumes: ctx.bool('v') });
    reply(ctx, 204);
  });

  // links (marked edit: networking): a link's name is "/parent/alias", so it spans path segments.
  router.delete('/containers/{parent:.*}/{alias}', (ctx) => {
    const name = `${ctx.param('parent')}/${ctx.param('alias')}`;
    if (!ctx.bool('link')) svc.assertExists(name);
    svc.removeLink(name);
    reply(ctx, 204);
  });

  registerExecRoutes(router, b.exec);
}

/** The verbs that change a container's state or settings. */
function registerStateRoutes(router: Router, svc: ContainerStateBackend): void {
  router.post('/containers/{name}/resize', async (ctx) => {
    await svc.resize(ctx.param('name'), ttyDimension(ctx, 'h'), ttyDimension(ctx, 'w'));
    reply(ctx, 200);
  });

  router.post('/containers/{name}/start', async (ctx) => {
    if (ctx.str('checkpoint')) throw new NotImplementedError('checkpoint restore is not supported');
    await svc.start(ctx.param('name'));
  });

  router.post('/containers/{name}/stop', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'container.stop');
    await svc.stop(ctx.param('name'), stopOptions(ctx));
  });

  router.post('/containers/{name}/restart', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'container.restart');
    await svc.restart(ctx.param('name'), stopOptions(ctx));
  });

  router.post('/containers/{name}/kill', async (ctx) => {
    await svc.kill(ctx.param('name'), ctx.str('signal') || 'SIGKILL');
  });

  router.post('/containers/{name}/update', async (ctx) => {
    const body = (await ctx.body(decodeUpdateBody)) ?? {};
    applyGates(CONTAINER_UPDATE_GATES, ctx.apiVersion, body as Record<string, unknown>);
    checkRestartPolicy(body.RestartPolicy?.Name);
    return svc.update(ctx.param('name'), body);
  });

  router.post('/containers/{name}/rename', (ctx) => {
    const name = ctx.str('name');
    if (!name) throw new InvalidArgumentError('Neither old nor new names may be empty');
    svc.rename(ctx.param('name'), name);
  });

  router.post('/containers/{name}/pause', async (ctx) => {
    await svc.pause(ctx.param('name'));
  });
  router.post('/containers/{name}/unpause', async (ctx) => {
    await svc.unpause(ctx.param('name'));
  });
}
