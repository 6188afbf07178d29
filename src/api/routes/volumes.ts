import { InvalidArgumentError } from '../../common/errors.js';
import type { VolumeService } from '../../engine/volumes/volume-service.js';
import type { Router } from '../router.js';
import { decodeVolumeCreateBody } from '../schemas/network-bodies.js';
import { reply } from '../server.js';
import { applyGates, VOLUME_PRUNE_GATES } from '../versions/index.js';

/** What the volume routes need from the engine. */
export interface VolumesBackend {
  volumes: Pick<VolumeService, 'list' | 'create' | 'prune' | 'inspect' | 'remove'>;
}

export function registerVolumeRoutes(router: Router, b: VolumesBackend): void {
  const svc = b.volumes;

  router.get('/volumes', (ctx) => ({ Volumes: svc.list(ctx.filters()), Warnings: null }));

  router.post('/volumes/create', async (ctx) => {
    const body = (await ctx.body(decodeVolumeCreateBody)) ?? {};
    if (body.ClusterVolumeSpec) {
      throw new InvalidArgumentError('This node is not a swarm manager. Cluster volumes are only supported on swarm managers.');
    }
    const v = svc.create({ Name: body.Name, Driver: body.Driver, DriverOpts: body.DriverOpts, Labels: body.Labels });
    reply(ctx, 201, v);
  });

  router.post('/volumes/prune', async (ctx) => svc.prune(applyGates(VOLUME_PRUNE_GATES, ctx.apiVersion, ctx.filters())));

  router.get('/volumes/{name}', (ctx) => svc.inspect(ctx.param('name')));

  router.delete('/volumes/{name}', async (ctx) => {
    await svc.remove(ctx.param('name'), { force: ctx.bool('force') });
    reply(ctx, 204);
  });
}
