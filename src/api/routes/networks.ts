import { InvalidArgumentError } from '../../common/errors.js';
import type { EndpointRequest, NetworkCreateRequest, NetworkService } from '../../engine/networks/network-service.js';
import type { Router } from '../router.js';
import { decodeNetworkConnectBody, decodeNetworkCreateBody, decodeNetworkDisconnectBody } from '../schemas/network-bodies.js';
import { reply } from '../server.js';
import { applyGates, behaves, NETWORK_CREATE_GATES } from '../versions/index.js';

/** What the /networks routes need: the network service, and container-aware connect/disconnect. */
export interface NetworksBackend {
  networks: Pick<NetworkService, 'list' | 'inspect' | 'create' | 'remove' | 'prune'>;
  /** Resolves the container reference and connects it (live when running). */
  connect(network: string, container: string, endpoint: EndpointRequest): Promise<void>;
  disconnect(network: string, container: string, force: boolean): Promise<void>;
}

export function registerNetworkRoutes(router: Router, b: NetworksBackend): void {
  const svc = b.networks;
  router.get('/networks', (ctx) => {
    const list = svc.list(ctx.filters());
    return behaves(ctx.apiVersion, 'networkListBrief') ? list : list.map((n) => svc.inspect(n.Id));
  });
  router.post('/networks/create', async (ctx) => {
    const body = await ctx.body(decodeNetworkCreateBody);
    if (!body?.Name) throw new InvalidArgumentError('network name must not be empty');
    applyGates(NETWORK_CREATE_GATES, ctx.apiVersion, body as unknown as Record<string, unknown>);
    reply(ctx, 201, await svc.create(body as NetworkCreateRequest));
  });
  router.post('/networks/prune', (ctx) => svc.prune(ctx.filters()));
  router.get('/networks/{id}', (ctx) => svc.inspect(ctx.param('id')));
  router.delete('/networks/{id}', async (ctx) => {
    await svc.remove(ctx.param('id'));
    reply(ctx, 204);
  });
  router.post('/networks/{id}/connect', async (ctx) => {
    const body = (await ctx.body(decodeNetworkConnectBody)) ?? {};
    if (!body.Container) throw new InvalidArgumentError('container must not be empty');
    await b.connect(ctx.param('id'), body.Container, (body.EndpointConfig ?? {}) as EndpointRequest);
    reply(ctx, 200);
  });
  router.post('/networks/{id}/disconnect', async (ctx) => {
    const body = (await ctx.body(decodeNetworkDisconnectBody)) ?? {};
    if (!body.Container) throw new InvalidArgumentError('container must not be empty');
    await b.disconnect(ctx.param('id'), body.Container, !!body.Force);
    reply(ctx, 200);
  });
}
