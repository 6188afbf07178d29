import { InvalidArgumentError } from '../../common/errors.js';
import type { VolumeService } from '../../engine/volumes/volume-service.js';
import type { Router } from '../router.js';
import { reply } from '../server.js';
import { applyGates, VOLUME_PRUNE_GATES } from '../versions/index.js';

/** What the volume routes need from the engine. */
export interface VolumesBackend {
  volumes: VolumeService;
}

function stringMap(v: unknown, field: string): Record<string, string> | null | undefined {
  if (v === undefined || v === null) return v;
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field CreateOptions.${field} of type map[string]string`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new InvalidArgumentError(`json: cannot unmarshal ${typeof x} into Go struct field CreateOptions.${field} of type string (key ${k})`);
  }
  return v as Record<string, string>;
}

export function registerVolumeRoutes(router: Router, b: VolumesBackend): void {
  const svc = b.volumes;

  router.get('/volumes', (ctx) => ({ Volumes: svc.list(ctx.filters()), Warnings: null }));

  router.post('/volumes/create', async (ctx) => {
    const body = (await ctx.json<Record<string, unknown>>()) ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('invalid JSON: expected an object');
    if (body.Name !== undefined && typeof body.Name !== 'string') throw new InvalidArgumentError('json: cannot unmarshal into Go struct field CreateOptions.Name of type string');
    if (body.ClusterVolumeSpec) {
      throw new InvalidArgumentError('This node is not a swarm manager. Cluster volumes are only supported on swarm managers.');
    }
    const v = svc.create({
      Name: body.Name as string | undefined,
      Driver: typeof body.Driver === 'string' ? body.Driver : undefined,
      DriverOpts: stringMap(body.DriverOpts, 'DriverOpts'),
      Labels: stringMap(body.Labels, 'Labels'),
    });
    reply(ctx, 201, v);
  });

  router.post('/volumes/prune', async (ctx) => svc.prune(applyGates(VOLUME_PRUNE_GATES, ctx.apiVersion, ctx.filters())));

  router.get('/volumes/{name}', (ctx) => svc.inspect(ctx.param('name')));

  router.delete('/volumes/{name}', async (ctx) => {
    await svc.remove(ctx.param('name'), { force: ctx.bool('force') });
    reply(ctx, 204);
  });
}
