import type { Command } from 'commander';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { ApiError, type QueryPairs, type RestoreResult } from '../../client/api-client.js';
import { CliExit, createEnv, type CliEnv } from '../cli-env.js';
import { ContextStore } from '../context-store.js';

// `berth migrate CONTAINER DESTINATION`: the source's backup stream goes straight into the
// destination's restore (no temp file here); the container must pass the health gate of upgrades
// there (healthy with a healthcheck, else running without a restart for --wait; --probe answering)
// before the source is stopped. The destination removes what it made when anything fails, so any
// failure leaves the source running and the destination clean.

interface MigrateOptions {
  rmSource?: boolean;
  live?: boolean;
  destCertPath?: string;
  healthTimeout?: string;
  wait?: string;
  probe?: string;
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

async function migrate(e: CliEnv, container: string, destination: string, o: MigrateOptions): Promise<void> {
  const src = e.client();
  const dest = destinationEnv(e, destination, o).client();
  const before = await src.containers.inspect(container);
  await dest.system.ping().catch((err: Error) => {
    throw new CliExit(1, `cannot reach the destination ${destination}: ${err.message}`);
  });
  // Layer negotiation: the blobs of layers the destination has are left out of the archive (a
  // destination without the endpoint gets them all).
  const image = await src.images.inspect(before.Image);
  const layers = image.RootFS?.Layers ?? [];
  const have = layers.length
    ? await dest.berth.haveLayers(layers).then((r) => r.Have ?? [], () => [])
    : [];
  const abort = new AbortController();
  const archive: IncomingMessage = await src.berth.backup(before.Id, [
    ['consistency', o.live ? 'live' : 'pause'],
    ['omitLayers', have.length ? have.join(',') : undefined],
  ]);
  let sent = 0;
  const counted = new PassThrough({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      cb(null, chunk);
    },
  });
  archive.pipe(counted);
  // A backup cut short must not reach the destination as a clean end: abort the upload.
  const cut = () => abort.abort(new Error('the backup stream from the source broke off'));
  archive.on('aborted', cut);
  archive.on('error', cut);
  let restored: RestoreResult;
  try {
    // The destination runs the health gate of upgrades and removes what it made if it fails.
    const gate: QueryPairs = [
      ['start', 'true'],
      ['gate', 'true'],
      ['healthTimeout', o.healthTimeout],
      ['wait', o.wait],
      ['probe', o.probe],
    ];
    restored = await dest.berth.restore(gate, counted, abort.signal);
  } catch (err) {
    const why = err instanceof ApiError ? err.message : (abort.signal.reason as Error | undefined)?.message ?? (err as Error).message;
    throw new CliExit(1, `migration failed, the source is still running: ${why}`);
  }
  for (const w of restored.Warnings ?? []) e.err.write(`WARNING: ${w}\n`);
  e.err.write(`Sent ${sent} bytes; ${have.length} of ${layers.length} image layers were on the destination already\n`);
  if (before.State.Running) await src.containers.stop(before.Id);
  if (o.rmSource) await src.containers.remove(before.Id, { volumes: true });
  else {
    // Kept, and labelled with where it went (a daemon without the endpoint just keeps it).
    await src.berth.markMigrated(before.Id, destination).catch((err: Error) => e.err.write(`WARNING: could not label the source as migrated: ${err.message}\n`));
  }
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
    .option('--health-timeout <duration>', 'How long a container with a healthcheck has to become healthy there', '2m')
    .option('--wait <duration>', 'How long a container without a healthcheck has to keep running there', '10s')
    .option('--probe <url>', 'Also check http://:PORT/PATH or tcp://:PORT against the container there')
    .option('--dest-cert-path <dir>', 'TLS for a tcp:// destination: ca.pem, cert.pem and key.pem in this directory')
    .action(async (container: string, destination: string, o: MigrateOptions) => {
      await migrate(env(), container, destination, o);
    });
}
