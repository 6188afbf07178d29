// Start: rootfs and network set up at once, the container's files and OCI spec written, the
// runtime's create and start; a failure undoes all of it and records Docker's exit code.
import { writeFileSync } from 'node:fs';
import { ConflictError, InvalidArgumentError, SystemError, errorMessage } from '../../common/errors.js';
import { stepTimer } from '../../common/step-timer.js';
import type { OciSpec } from '../runtime/oci-spec.js';
import { RuntimeError, isDirectoryExec, startFailureExitCode } from '../runtime/runtime-errors.js';
import type { ContainerContext } from './container-context.js';
import { watchExit } from './container-exit.js';
import { ZERO_TIME, type ContainerRecord } from './container-model.js';
import { idleSettings, networkRequest } from './container-networking.js';
import { assertCanStart, withStatus } from './container-state.js';
import { linkSetup, withLinkHosts } from './links.js';

type Steps = ReturnType<typeof stepTimer>;

/** Rootfs, network, the hostname/hosts/resolv.conf files and the spec of a container about to start. */
async function prepare(ctx: ContainerContext, c: ContainerRecord, steps: Steps): Promise<OciSpec> {
  const { d } = ctx;
  const image = d.images.getImage(c.Image);
  // Rootfs and network are independent: set both up at once, and undo both if either fails.
  const [mounted, networked] = await Promise.allSettled([
    d.rootfs.mountContainerLayer(c.Id, image.id),
    d.networks.setupContainer(networkRequest(ctx, c)),
  ]);
  if (mounted.status === 'rejected') throw mounted.reason;
  if (networked.status === 'rejected') throw networked.reason;
  steps.mark('rootfs+network');
  const rootfs = mounted.value;
  const net = networked.value;
  c.NetworkSettings = net.settings;
  const linked = linkSetup(c, (r) => ctx.get(r)); // links (marked edit: networking): env and hosts of --link targets
  writeFileSync(c.HostnamePath, `${c.Config.Hostname}\n`);
  writeFileSync(c.HostsPath, withLinkHosts(net.hostsFile, linked.hosts));
  writeFileSync(c.ResolvConfPath, net.resolvConf);
  const mounts = d.mounts ? await d.mounts.ociMounts(c, rootfs) : undefined;
  const withEnv = linked.env.length ? { ...c, Config: { ...c.Config, Env: [...linked.env, ...(c.Config.Env ?? [])] } } : c;
  return d.buildSpec(withEnv, {
    rootfs,
    mounts,
    netnsPath: net.netnsPath,
    hostnamePath: c.HostnamePath,
    hostsPath: c.HostsPath,
    resolvConfPath: c.ResolvConfPath,
  });
}

/** The runtime's create (pending attaches connected right after) and start; returns the pid. */
async function runtimeStart(ctx: ContainerContext, c: ContainerRecord, spec: OciSpec, steps: Steps, created: () => void): Promise<number> {
  const { d } = ctx;
  const { pid } = await d.runtime.create({
    id: c.Id,
    name: c.Name.slice(1),
    bundleDir: d.paths.containerBundleDir(c.Id),
    spec,
    logPath: c.LogPath,
    logDriver: c.HostConfig.LogConfig?.Type === 'none' ? 'none' : 'k8s-file', // lifecycle: `none` keeps no log
    tty: !!c.Config.Tty,
    openStdin: !!c.Config.OpenStdin,
    stdinOnce: !!c.Config.StdinOnce,
    runtime: c.HostConfig.Runtime || d.defaultRuntime,
  });
  created();
  steps.mark('runtime create');
  await ctx.attaches.connect(c.Id, !!c.Config.OpenStdin);
  steps.mark('attach');
  await d.runtime.start(c.Id);
  steps.mark('runtime start');
  return pid;
}

/** Start under the container's lock. */
export async function startLocked(ctx: ContainerContext, c: ContainerRecord): Promise<void> {
  assertCanStart(c.Id, c.State, ctx.removalPending.has(c.Id));
  ctx.restarts.cancel(c.Id);
  c.generation++;
  c.manuallyStopped = false;
  const generation = c.generation;
  let created = false;
  const steps = stepTimer(ctx.d.logger, 'start', c.Id);
  try {
    const spec = await prepare(ctx, c, steps);
    steps.mark('files+spec');
    const pid = await runtimeStart(ctx, c, spec, steps, () => (created = true));
    c.State = withStatus(c.State, 'running', { OOMKilled: false, Pid: pid, ExitCode: 0, Error: '', StartedAt: new Date().toISOString() });
    ctx.d.repo.save(c);
    ctx.d.repo.recordImageRun(c.Name, c.Image, c.Config.Image ?? '', c.State.StartedAt);
    ctx.emit(c, 'start');
    watchExit(ctx, c, generation);
    ctx.health?.start(c);
    steps.mark('store+events');
    steps.done();
  } catch (err) {
    throw await startFailed(ctx, c, err, created);
  }
}

/** Undoes a failed start, records it, and returns the error dockerd would answer. */
async function startFailed(ctx: ContainerContext, c: ContainerRecord, err: unknown, created: boolean): Promise<Error> {
  const { d } = ctx;
  const message = errorMessage(err);
  ctx.attaches.fail(c.Id, err as Error);
  if (created) await d.runtime.delete(c.Id, { force: true }).catch(() => undefined);
  // Also when the setup itself failed: a port conflict found after the sandbox was made
  // leaves a veth behind otherwise. Teardown of what is not there is a no-op.
  await d.networks.teardownContainer(c.Id).catch(() => undefined);
  await d.rootfs.unmountContainerLayer(c.Id).catch(() => undefined);
  // Only the runtime's own failure to exec the command maps to 127/126, as in Docker.
  const code = err instanceof RuntimeError ? startFailureExitCode(message) : 128;
  d.logger.warn({ id: c.Id, err: message }, 'start failed');
  c.State = withStatus(c.State, c.State.StartedAt === ZERO_TIME ? 'created' : 'exited', { Pid: 0, ExitCode: code, Error: message });
  c.NetworkSettings = idleSettings(ctx, c);
  d.repo.save(c);
  // dockerd removes an AutoRemove container whose start failed; `wait?condition=removed` ends.
  if (c.HostConfig.AutoRemove) setImmediate(() => void ctx.ops.remove(c.Id, { force: true, volumes: true }).catch(() => undefined));
  if (code === 127 || code === 126) {
    const argv = [...(c.Config.Entrypoint ?? []), ...(c.Config.Cmd ?? [])];
    const what = code === 127 ? 'executable file not found in $PATH' : isDirectoryExec(message) ? 'is a directory: permission denied' : 'permission denied';
    return new InvalidArgumentError(
      `failed to create task for container: failed to create shim task: OCI runtime create failed: unable to start container process: exec: "${argv[0] ?? ''}": ${what}: unknown`,
    );
  }
  return err instanceof SystemError || err instanceof InvalidArgumentError || err instanceof ConflictError
    ? err
    : new SystemError(`failed to start container ${c.Id}: ${message}`);
}
