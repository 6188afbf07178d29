import type { Command } from 'commander';
import type { IncomingMessage } from 'node:http';
import { ApiError, type ApiClient } from '../../client/api-client.js';
import { join } from 'node:path';
import { CliExit, createEnv, type CliEnv } from '../cli-env.js';
import { ContextStore } from '../context-store.js';

// `berth migrate CONTAINER DESTINATION`: the source's backup stream goes straight into the
// destination's restore (no temp file here); the container must run there (and be healthy, when
// it has a healthcheck) before the source is stopped. Any failure leaves the source running and
// removes what the destination made.

const GATE_TIMEOUT_MS = 60_000;

interface MigrateOptions {
  rmSource?: boolean;
  live?: boolean;
  destCertPath?: string;
}

/**
 * The destination's client: a socket path, a unix://, ssh:// or tcp:// host (tcp with TLS when
 * --dest-cert-path names a directory of ca.pem, cert.pem and key.pem), or a context's name.
 */
function destinationEnv(e: CliEnv, dest: string, o: MigrateOptions): CliEnv {
  if (dest.startsWith('/')) return createEnv({ host: [`unix://${dest}`], config: e.configDir });
  if (!dest.includes('://') && new ContextStore(e.configDir).get(dest)) return createEnv({ context: dest, config: e.configDir });
  if (!o.destCertPath) return createEnv({ host: [dest], config: e.configDir });
  const file = (f: string) => join(o.destCertPath!, f);
  return createEnv({ host: [dest], config: e.configDir, tlsverify: true, tlscacert: file('ca.pem'), tlscert: file('cert.pem'), tlskey: file('key.pem') });
}

interface Restored {
  Id: string;
  Name: string;
  Warnings: string[];
  CreatedVolumes: string[];
  CreatedNetworks: string[];
}

/** Waits until the container runs (and is healthy when it has a healthcheck). */
async function passesGate(dest: ApiClient, id: string): Promise<string | undefined> {
  const deadline = Date.now() + GATE_TIMEOUT_MS;
  let runningSince = 0;
  for (;;) {
    const c = await dest.call<Record<string, any>>('GET', `/containers/${id}/json`);
    const health = c.State.Health?.Status as string | undefined;
    if (!c.State.Running) return `the container is ${c.State.Status} on the destination (exit code ${c.State.ExitCode})`;
    if (health === 'unhealthy') return 'the container is unhealthy on the destination';
    runningSince ||= Date.now();
    // Without a healthcheck: still running a moment after the start.
    if (health === 'healthy' || (!health && Date.now() - runningSince >= 2000)) return undefined;
    if (Date.now() > deadline) return `the container was not healthy within ${GATE_TIMEOUT_MS / 1000}s`;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function cleanDestination(dest: ApiClient, r: Restored): Promise<void> {
  await dest.call('DELETE', `/containers/${r.Id}`, { query: { force: '1', v: '1' } }).catch(() => undefined);
  for (const v of r.CreatedVolumes) await dest.call('DELETE', `/volumes/${encodeURIComponent(v)}`, { query: { force: '1' } }).catch(() => undefined);
  for (const n of r.CreatedNetworks) await dest.call('DELETE', `/networks/${encodeURIComponent(n)}`).catch(() => undefined);
}

async function migrate(e: CliEnv, container: string, destination: string, o: MigrateOptions): Promise<void> {
  const src = e.client();
  const dest = destinationEnv(e, destination, o).client();
  const before = await src.call<Record<string, any>>('GET', `/containers/${encodeURIComponent(container)}/json`);
  await dest.call('GET', '/_ping').catch((err: Error) => {
    throw new CliExit(1, `cannot reach the destination ${destination}: ${err.message}`);
  });
  // An image the destination already has (same id) is not sent; the restore finds it there.
  const image = await src.call<Record<string, any>>('GET', `/images/${before.Image}/json`);
  const destHasImage = (image.RepoDigests ?? []).length > 0 && (await dest.call('GET', `/images/${before.Image}/json`).then(() => true, () => false));
  const abort = new AbortController();
  const archive: IncomingMessage = await src.stream('GET', `/berth/v1/containers/${before.Id}/backup`, {
    query: { consistency: o.live ? 'live' : 'pause', image: destHasImage ? 'false' : undefined },
  });
  // A backup cut short must not reach the destination as a clean end: abort the upload.
  const cut = () => abort.abort(new Error('the backup stream from the source broke off'));
  archive.on('aborted', cut);
  archive.on('error', cut);
  let restored: Restored;
  try {
    restored = await dest.call<Restored>('POST', '/berth/v1/restore', {
      query: { start: 'true' },
      rawBody: archive,
      headers: { 'Content-Type': 'application/zstd' },
      signal: abort.signal,
    });
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
  if (before.State.Running) await src.call('POST', `/containers/${before.Id}/stop`);
  if (o.rmSource) await src.call('DELETE', `/containers/${before.Id}`, { query: { v: '1' } });
  e.out.write(`${restored.Id}\n`);
}

export function registerMigrateCommands(program: Command, env: () => CliEnv): void {
  program
    .command('migrate')
    .description('Move a container with its image and volumes to another berth daemon')
    .usage('[OPTIONS] CONTAINER DESTINATION')
    .argument('<container>')
    .argument('<destination>', 'unix socket path, unix://, tcp:// or ssh:// host, or a context name')
    .option('--rm-source', 'Remove the source container once the destination runs it')
    .option('--live', 'Copy while the source runs (default: pause it during the copy)')
    .option('--dest-cert-path <dir>', 'TLS for a tcp:// destination: ca.pem, cert.pem and key.pem in this directory')
    .action(async (container: string, destination: string, o: MigrateOptions) => {
      await migrate(env(), container, destination, o);
    });
}
