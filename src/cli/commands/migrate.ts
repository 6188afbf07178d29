import type { Command } from 'commander';
import type { IncomingMessage } from 'node:http';
import { ApiError, type ApiClient, type RestoreResult } from '../../client/api-client.js';
import { CliExit, createEnv, type CliEnv } from '../cli-env.js';

// `berth migrate CONTAINER DESTINATION`: the source's backup stream goes straight into the
// destination's restore (no temp file here); the container must run there (and be healthy, when
// it has a healthcheck) before the source is stopped. Any failure leaves the source running and
// removes what the destination made.

const GATE_TIMEOUT_MS = 60_000;

/** A bare socket path is a unix:// host; anything else is resolved as `-H` would be. */
function destinationHost(dest: string): string {
  return dest.startsWith('/') ? `unix://${dest}` : dest;
}

/** Waits until the container runs (and is healthy when it has a healthcheck). */
async function passesGate(dest: ApiClient, id: string): Promise<string | undefined> {
  const deadline = Date.now() + GATE_TIMEOUT_MS;
  let runningSince = 0;
  for (;;) {
    const c = await dest.containers.inspect(id);
    const health = c.State.Health?.Status;
    if (!c.State.Running) return `the container is ${c.State.Status} on the destination (exit code ${c.State.ExitCode})`;
    if (health === 'unhealthy') return 'the container is unhealthy on the destination';
    runningSince ||= Date.now();
    // Without a healthcheck: still running a moment after the start.
    if (health === 'healthy' || (!health && Date.now() - runningSince >= 2000)) return undefined;
    if (Date.now() > deadline) return `the container was not healthy within ${GATE_TIMEOUT_MS / 1000}s`;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function cleanDestination(dest: ApiClient, r: RestoreResult): Promise<void> {
  await dest.containers.remove(r.Id, { force: true, volumes: true }).catch(() => undefined);
  for (const v of r.CreatedVolumes) await dest.volumes.remove(v, { force: true }).catch(() => undefined);
  for (const n of r.CreatedNetworks) await dest.networks.remove(n).catch(() => undefined);
}

async function migrate(e: CliEnv, container: string, destination: string, o: { rmSource?: boolean; live?: boolean }): Promise<void> {
  const src = e.client();
  const dest = createEnv({ host: [destinationHost(destination)], config: e.configDir }).client();
  const before = await src.containers.inspect(container);
  await dest.system.ping().catch((err: Error) => {
    throw new CliExit(1, `cannot reach the destination ${destination}: ${err.message}`);
  });
  // An image the destination already has (same id) is not sent; the restore finds it there.
  const image = await src.images.inspect(before.Image);
  const destHasImage = (image.RepoDigests ?? []).length > 0 && (await dest.images.inspect(before.Image).then(() => true, () => false));
  const abort = new AbortController();
  const archive: IncomingMessage = await src.berth.backup(before.Id, [
    ['consistency', o.live ? 'live' : 'pause'],
    ['image', destHasImage ? 'false' : undefined],
  ]);
  // A backup cut short must not reach the destination as a clean end: abort the upload.
  const cut = () => abort.abort(new Error('the backup stream from the source broke off'));
  archive.on('aborted', cut);
  archive.on('error', cut);
  let restored: RestoreResult;
  try {
    restored = await dest.berth.restore([['start', 'true']], archive, abort.signal);
  } catch (err) {
    const why = err instanceof ApiError ? err.message : (abort.signal.reason as Error | undefined)?.message ?? (err as Error).message;
    throw new CliExit(1, `migration failed, the source is still running: ${why}`);
  }
  for (const w of restored.Warnings ?? []) e.err.write(`WARNING: ${w}\n`);
  const failed = await passesGate(dest, restored.Id).catch((err: Error) => err.message);
  if (failed) {
    await cleanDestination(dest, restored);
    throw new CliExit(1, `migration failed, the source is still running and the destination was cleaned: ${failed}`);
  }
  if (before.State.Running) await src.containers.stop(before.Id);
  if (o.rmSource) await src.containers.remove(before.Id, { volumes: true });
  e.out.write(`${restored.Id}\n`);
}

export function registerMigrateCommands(program: Command, env: () => CliEnv): void {
  program
    .command('migrate')
    .description('Move a container with its image and volumes to another berth daemon')
    .usage('[OPTIONS] CONTAINER DESTINATION')
    .argument('<container>')
    .argument('<destination>', 'unix socket path, unix://, tcp:// or ssh:// host')
    .option('--rm-source', 'Remove the source container once the destination runs it')
    .option('--live', 'Copy while the source runs (default: pause it during the copy)')
    .action(async (container: string, destination: string, o: { rmSource?: boolean; live?: boolean }) => {
      await migrate(env(), container, destination, o);
    });
}
