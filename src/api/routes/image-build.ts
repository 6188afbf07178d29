import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../common/errors.js';
import type { BuildOptions } from '../../engine/builder/image-builder.js';
import type { AuthConfig } from '../../engine/images/registry-auth.js';
import type { RequestContext } from '../request-context.js';
import type { Router } from '../router.js';
import { buildParam } from '../schemas/build-params.js';
import { progressStream } from './image-transfer.js';
import { behaves, gateQuery } from '../versions/index.js';

// POST /build: Docker's classic builder. The body is the build context as a tar (maybe
// compressed); the answer streams the steps' output as JSON messages.

/** The builder's options, and the credentials of X-Registry-Config for the FROM images. */
export type BuildRequest = BuildOptions & { auths: Record<string, AuthConfig> };

export interface BuildBackend {
  build(context: Readable, req: BuildRequest, emit: (m: Record<string, unknown>) => void): Promise<string>;
  prune(): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>;
}

function registryConfig(header: string | string[] | undefined): Record<string, AuthConfig> {
  if (typeof header !== 'string' || !header) return {};
  try {
    const doc: unknown = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return {};
    // Like dockerd, an unreadable entry is no credentials rather than a failed build.
    return Object.fromEntries(Object.entries(doc).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v)).map(([k, v]) => [k, stringFields(v)]));
  } catch {
    return {};
  }
}

/** The string fields of an auth config; others are dropped (Go would refuse the whole header). */
export function stringFields(v: object): AuthConfig {
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as AuthConfig;
}

export function parseBuildRequest(ctx: RequestContext): BuildRequest {
  if (ctx.str('remote')) throw new InvalidArgumentError('remote build contexts are not supported: send the context in the request body');
  if (ctx.bool('squash')) throw new InvalidArgumentError('squash is only supported with experimental mode');
  const isolation = ctx.str('isolation');
  if (isolation && isolation !== 'default') throw new InvalidArgumentError(`Unsupported isolation: "${isolation}"`);
  const version = ctx.str('version');
  if (version === '2') throw new InvalidArgumentError('BuildKit is not supported by this daemon: use the classic builder (DOCKER_BUILDKIT=0)');
  const hostConfig: Record<string, unknown> = {};
  const network = ctx.str('networkmode');
  if (network && network !== 'default') hostConfig.NetworkMode = network;
  const shm = ctx.int('shmsize', 0)!;
  if (shm > 0) hostConfig.ShmSize = shm;
  const hosts = ctx.query.getAll('extrahosts').flatMap((h) => h.split(',')).filter(Boolean);
  if (hosts.length) hostConfig.ExtraHosts = hosts;
  for (const [q, k] of [['memory', 'Memory'], ['memswap', 'MemorySwap'], ['cpushares', 'CpuShares'], ['cpuperiod', 'CpuPeriod'], ['cpuquota', 'CpuQuota']] as const) {
    const v = ctx.int(q, 0)!;
    if (v) hostConfig[k] = v;
  }
  if (ctx.str('cpusetcpus')) hostConfig.CpusetCpus = ctx.str('cpusetcpus');
  if (ctx.str('cpusetmems')) hostConfig.CpusetMems = ctx.str('cpusetmems');
  if (ctx.str('cgroupparent')) hostConfig.CgroupParent = ctx.str('cgroupparent');
  const ulimits = buildParam('ulimits', ctx.str('ulimits'), []);
  if (ulimits.length) hostConfig.Ulimits = ulimits;
  return {
    dockerfile: ctx.str('dockerfile') || 'Dockerfile',
    tags: ctx.query.getAll('t').filter(Boolean),
    buildArgs: buildParam('buildargs', ctx.str('buildargs'), {}),
    labels: buildParam('labels', ctx.str('labels'), {}),
    target: ctx.str('target') || undefined,
    noCache: ctx.bool('nocache'),
    rm: ctx.bool('rm', true),
    forceRm: ctx.bool('forcerm'),
    pull: ctx.bool('pull'),
    quiet: ctx.bool('q'),
    hostConfig,
    platform: ctx.str('platform') || undefined,
    cacheFrom: buildParam('cachefrom', ctx.str('cachefrom'), []),
    auths: registryConfig(ctx.req.headers['x-registry-config']),
  };
}

export function registerBuildRoutes(router: Router, b: BuildBackend): void {
  router.post('/build', async (ctx) => {
    gateQuery(ctx.query, ctx.apiVersion, 'build');
    const req = parseBuildRequest(ctx);
    // Clients before 1.30 get no aux messages (the image ID only in the "Successfully built" line).
    const aux = behaves(ctx.apiVersion, 'buildAuxMessages');
    // A client that hangs up (docker build interrupted) cancels the build, as with dockerd.
    const abort = new AbortController();
    ctx.res?.on('close', () => {
      if (!ctx.res?.writableFinished) abort.abort();
    });
    req.signal = abort.signal;
    ctx.res?.setHeader('Content-Type', 'application/json');
    await progressStream(ctx, (emit) => b.build(ctx.req, req, aux ? emit : (m) => void ('aux' in m || emit(m))));
  });
  router.post('/build/prune', () => b.prune());
  router.post('/build/cancel', () => ({}));
}
