import type { Command } from 'commander';
import { createReadStream, renameSync, rmSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { QueryPairs } from '../../client/api-client.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { humanSize } from '../output/units.js';
import { fileSink } from '../streams/file-sink.js';

// `berth volume export/import`, `berth backup [ls|prune]`, `berth restore`: berth's own archives.

/** Streams a response to FILE (through FILE.partial, renamed when complete) or to stdout. */
async function saveTo(e: CliEnv, res: NodeJS.ReadableStream, output: string | undefined, what: string): Promise<void> {
  if (!output || output === '-') {
    if (e.out.isTTY) throw new CliExit(1, `cowardly refusing to write the ${what} to a terminal. Use the -o flag or redirect`);
    await pipeline(res, e.out);
    return;
  }
  const tmp = join(dirname(output), `.${basename(output)}.partial`);
  try {
    await pipeline(res, fileSink(tmp));
    renameSync(tmp, output);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new CliExit(1, `failed to write the ${what}: ${(err as Error).message}`);
  }
}

function input(file: string): NodeJS.ReadableStream {
  if (file === '-') {
    if (process.stdin.isTTY) throw new CliExit(1, 'requested import from stdin, but stdin is a terminal');
    return process.stdin;
  }
  // Read in 1 MiB pieces: the upload then makes a sixteenth of the socket writes.
  return createReadStream(file, { highWaterMark: 1 << 20 });
}

function addVolumeCommands(volume: Command, env: () => CliEnv): void {
  volume
    .command('export')
    .description('Export the contents of a volume to a tar archive')
    .usage('[OPTIONS] VOLUME')
    .argument('<volume>')
    .option('-o, --output <file>', 'Write to a file instead of STDOUT')
    .action(async (name: string, o: { output?: string }) => {
      const e = env();
      const res = await e.client().berth.exportVolume(name);
      await saveTo(e, res, o.output, 'volume archive');
    });
  volume
    .command('import')
    .description('Import a tar archive (plain or zstd) into a volume')
    .usage('VOLUME FILE|-')
    .argument('<volume>')
    .argument('<file>')
    .action(async (name: string, file: string) => {
      const e = env();
      await e.client().berth.importVolume(name, input(file));
    });
}

function addBackupCommands(program: Command, env: () => CliEnv): void {
  const backup = program
    .command('backup')
    .description('Back up a container with its image, volumes and changes into one archive')
    .usage('[OPTIONS] CONTAINER | COMMAND')
    .argument('[container]')
    .option('-o, --output <file>', 'Write to a file instead of STDOUT')
    .option('--no-image', 'Record only the image reference and digest')
    .option('--no-rootfs', "Leave out the container's own filesystem changes")
    .option('--stop', 'Stop the container during the copy (default: pause it)')
    .option('--live', 'Copy while the container runs')
    .action(async (container: string | undefined, o: { output?: string; image: boolean; rootfs: boolean; stop?: boolean; live?: boolean }) => {
      if (!container) throw new CliExit(1, '"berth backup" requires a container, or one of: ls, prune');
      if (o.stop && o.live) throw new CliExit(1, 'conflicting options: --stop and --live');
      const e = env();
      const res = await e.client().berth.backup(container, [
        ['image', o.image ? undefined : 'false'],
        ['rootfs', o.rootfs ? undefined : 'false'],
        ['consistency', o.stop ? 'stop' : o.live ? 'live' : undefined],
      ]);
      await saveTo(e, res, o.output, 'backup');
    });
  backup
    .command('ls')
    .description('List the scheduled backups kept by the daemon')
    .option('-q, --quiet', 'Only show paths')
    .action(async (o: { quiet?: boolean }) => {
      const e = env();
      const files = await e.client().berth.backups();
      if (o.quiet) {
        for (const f of files) e.out.write(`${f.Path}\n`);
        return;
      }
      const rows = [['CONTAINER', 'CREATED', 'SIZE', 'PATH'], ...files.map((f) => [f.Container, f.Created, humanSize(f.Size), f.Path])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) e.out.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('') + '\n');
    });
  backup
    .command('prune')
    .description('Remove scheduled backups beyond each schedule\'s "keep"')
    .action(async () => {
      const e = env();
      const r = await e.client().berth.pruneBackups();
      for (const p of r.Removed) e.out.write(`Deleted: ${p}\n`);
    });

  program
    .command('restore')
    .description('Restore a container from a backup archive')
    .usage('[OPTIONS] FILE|-')
    .argument('<file>')
    .option('--name <string>', 'Name of the restored container (default: the original name)')
    .option('--start', 'Start the container once restored')
    .option('--replace-volumes', 'Replace the contents of volumes that already exist')
    .action(async (file: string, o: { name?: string; start?: boolean; replaceVolumes?: boolean }) => {
      const e = env();
      const params: QueryPairs = [
        ['name', o.name],
        ['start', o.start ? 'true' : undefined],
        ['replaceVolumes', o.replaceVolumes ? 'true' : undefined],
      ];
      const r = await e.client().berth.restore(params, input(file));
      for (const w of r.Warnings ?? []) e.err.write(`WARNING: ${w}\n`);
      e.out.write(`${r.Id}\n`);
    });
}

export function registerBackupCommands(program: Command, env: () => CliEnv): void {
  const volume = program.commands.find((c) => c.name() === 'volume');
  if (volume) addVolumeCommands(volume, env);
  addBackupCommands(program, env);
}
