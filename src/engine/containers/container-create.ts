// POST /containers/create: the request checked and completed with the image's config and
// Docker's defaults, the container's layer and directory made, the record stored.
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import { stepTimer } from '../../common/step-timer.js';
import { mergeImageConfig, validateContainerName, type UserConfig } from './config-merge.js';
import type { ContainerContext } from './container-context.js';
import { initialState, type ContainerConfig, type ContainerRecord, type EndpointSettings, type HostConfig } from './container-model.js';
import { idleSettings } from './container-networking.js';
import { normaliseHostConfig } from './host-config.js';
import { normaliseLinks } from './links.js';
import { generateName } from './name-generator.js';

/** The body of POST /containers/create: Config with HostConfig and NetworkingConfig beside it. */
export type CreateBody = UserConfig & {
  HostConfig?: HostConfig | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointSettings | null> | null } | null;
  /** docker-py's top-level runtime. */
  Runtime?: string;
};

export interface CreateRequest {
  name?: string;
  body: CreateBody;
  platform?: string;
}

/** Docker's Config defaults for what the client left out. */
function completeConfig(config: ContainerConfig, id: string, networkMode: string): void {
  // networking (marked edit): a container on the host's network has the host's name, as in Docker.
  config.Hostname ||= networkMode === 'host' ? hostname() : id.slice(0, 12);
  config.Domainname ??= '';
  config.User ??= '';
  config.AttachStdin ??= false;
  config.AttachStdout ??= false;
  config.AttachStderr ??= false;
  config.Tty ??= false;
  config.OpenStdin ??= false;
  config.StdinOnce ??= false;
  config.WorkingDir ??= '';
  config.Entrypoint ??= null;
  config.OnBuild ??= null;
}

/** The new container's record, not yet stored. */
function newRecord(ctx: ContainerContext, req: CreateRequest): ContainerRecord {
  const body: CreateBody = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('config cannot be empty in order to create a container');
  const imageRef = body.Image;
  if (!imageRef || typeof imageRef !== 'string') throw new InvalidArgumentError('No image was specified');
  const hostConfig = normaliseHostConfig(body.HostConfig ?? {}, ctx.d.logDriver);
  // docker-py sends `runtime=` as a top-level Runtime key; dockerd fills in its default runtime.
  const runtime = hostConfig.Runtime || (typeof body.Runtime === 'string' && body.Runtime ? body.Runtime : ctx.d.defaultRuntime);
  hostConfig.Runtime = runtime;
  if (ctx.d.runtimeNames && !ctx.d.runtimeNames.includes(runtime)) throw new InvalidArgumentError(`Unknown runtime specified ${runtime}`);
  const name = req.name ? validateContainerName(req.name) : `/${generateName((n) => ctx.nameHolder(`/${n}`) !== undefined)}`;
  ctx.assertNameFree(name);
  hostConfig.Links = normaliseLinks(hostConfig.Links, name, hostConfig.NetworkMode, (r) => ctx.get(r)); // links (marked edit: networking)
  const image = ctx.d.images.getImage(imageRef);
  const { HostConfig: _h, NetworkingConfig, ...userConfig } = body;
  const id = newId();
  const config: ContainerConfig = { ...mergeImageConfig(userConfig, image.config.config ?? {}), Image: imageRef };
  completeConfig(config, id, hostConfig.NetworkMode);
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const dir = ctx.d.paths.containerDir(id);
  return {
    Id: id,
    Name: name,
    Created: new Date().toISOString(),
    Path: argv[0] ?? '',
    Args: argv.slice(1),
    Image: image.id,
    Config: config,
    HostConfig: hostConfig,
    State: initialState(),
    NetworkSettings: {},
    Mounts: [],
    LogPath: join(dir, 'ctr.log'),
    ResolvConfPath: join(dir, 'resolv.conf'),
    HostnamePath: join(dir, 'hostname'),
    HostsPath: join(dir, 'hosts'),
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: image.config.os ?? 'linux',
    generation: 0,
    endpointsConfig: primaryEndpoints(hostConfig.NetworkMode, NetworkingConfig?.EndpointsConfig),
    manuallyStopped: false,
  };
}

export async function createContainer(ctx: ContainerContext, req: CreateRequest): Promise<{ Id: string; Warnings: string[] }> {
  const c = newRecord(ctx, req);
  const { d } = ctx;
  const steps = stepTimer(d.logger, 'create', c.Id);
  c.NetworkSettings = idleSettings(ctx, c);
  if (d.mounts) c.Mounts = await d.mounts.plan(c, (ref) => ctx.get(ref));
  steps.mark('config+mounts');
  const dir = d.paths.containerDir(c.Id);
  mkdirSync(dir, { recursive: true, mode: 0o710 });
  try {
    await d.rootfs.createContainerLayer(c.Id, c.Image);
    steps.mark('layer');
    d.repo.insert(c);
    steps.mark('store');
  } catch (err) {
    await d.mounts?.release(c, true).catch(() => undefined);
    await d.rootfs.removeContainerLayer(c.Id).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  ctx.byId.set(c.Id, c);
  ctx.emit(c, 'create');
  steps.done();
  return { Id: c.Id, Warnings: [] };
}

/**
 * The networks a container is connected to, keyed by name: what the client sent, with the primary
 * network (NetworkMode) always present, so connect/disconnect have one list to work on.
 */
function primaryEndpoints(mode: string, sent: Record<string, EndpointSettings | null> | null | undefined): Record<string, EndpointSettings> {
  const out: Record<string, EndpointSettings> = {};
  for (const [k, v] of Object.entries(sent ?? {})) out[k === 'default' ? 'bridge' : k] = v ?? {};
  if (!['host', 'none'].includes(mode) && !mode.startsWith('container:')) out[mode] ??= {};
  return out;
}
