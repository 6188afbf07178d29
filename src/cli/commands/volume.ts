import { confirm } from '../confirm.js';
import type { Command } from 'commander';
import type { Volume } from '../../client/api-client.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { renderList } from '../output/format.js';
import { humanSize } from '../output/units.js';
import { printInspected, withFormatErrors } from '../output/inspect-output.js';
import { filtersJson } from './container/ps.js';

// `berth volume create/ls/inspect/rm/prune`, with docker's flags and output.

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** `--label a=b` / `--opt k=v` lists as a map (a bare key maps to ""). */
function toMap(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i < 0) out[item] = '';
    else out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}


/** The fields docker's volume formatter offers to --format templates. */
function volumeContext(v: Volume) {
  const labels = v.Labels ?? {};
  return {
    Name: v.Name,
    Driver: v.Driver,
    Scope: v.Scope,
    Mountpoint: v.Mountpoint,
    Labels: Object.entries(labels).map(([k, x]) => `${k}=${x}`).join(','),
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData && v.UsageData.Size >= 0 ? humanSize(v.UsageData.Size) : 'N/A',
    Group: '',
    Availability: '',
    Status: 'N/A',
  };
}

export function registerVolumeCommands(program: Command, env: () => CliEnv): void {
  const group = program.command('volume').description('Manage volumes').usage('COMMAND').enablePositionalOptions();

  group
    .command('create')
    .description('Create a volume')
    .usage('[OPTIONS] [VOLUME]')
    .argument('[name]')
    .option('-d, --driver <string>', 'Specify volume driver name', 'local')
    .option('--label <label>', 'Set metadata for a volume', collect)
    .option('-o, --opt <opt>', 'Set driver specific options', collect)
    .option('--name <string>', 'Specify volume name')
    .action(async (name: string | undefined, o: { driver: string; label?: string[]; opt?: string[]; name?: string }) => {
      const e = env();
      if (name && o.name && name !== o.name) {
        throw new CliExit(1, `conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
      }
      const v = await e.client().volumes.create({ Name: name ?? o.name ?? '', Driver: o.driver, DriverOpts: toMap(o.opt), Labels: toMap(o.label) });
      e.out.write(`${v.Name}\n`);
    });

  group
    .command('ls')
    .alias('list')
    .description('List volumes')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "dangling=true")', collect)
    .option('--format <string>', 'Format output using a custom template')
    .option('-q, --quiet', 'Only display volume names')
    .option('--cluster', 'Display only cluster volumes, and use cluster volume list formatting')
    .action(async (o: { filter?: string[]; format?: string; quiet?: boolean }) => {
      const e = env();
      const res = await e.client().volumes.list(filtersJson(o.filter ?? []));
      const list = (res?.Volumes ?? []).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
      e.out.write(
        withFormatErrors(() =>
          renderList(list.map(volumeContext), {
            format: o.format,
            quiet: o.quiet,
            quietFormat: '{{.Name}}',
            defaultTableFormat: 'table {{.Driver}}\t{{.Name}}',
            headers: {
              Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS',
              Links: 'LINKS', Size: 'SIZE', Group: 'GROUP', Availability: 'AVAILABILITY', Status: 'STATUS',
            },
          }),
        ),
      );
    });

  group
    .command('inspect')
    .description('Display detailed information on one or more volumes')
    .usage('[OPTIONS] VOLUME [VOLUME...]')
    .argument('<names...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (names: string[], o: { format?: string }) => {
      const e = env();
      const found: unknown[] = [];
      const errors: string[] = [];
      for (const n of names) {
        try {
          found.push(await e.client().volumes.inspect(n));
        } catch (err) {
          if ((err as { status?: number }).status === 404) errors.push(`Error: No such volume: ${n}`);
          else throw err;
        }
      }
      printInspected(e, found, errors, o.format);
    });

  group
    .command('rm')
    .alias('remove')
    .description('Remove one or more volumes')
    .usage('[OPTIONS] VOLUME [VOLUME...]')
    .argument('<names...>')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action(async (names: string[], o: { force?: boolean }) => {
      const e = env();
      const errors: string[] = [];
      for (const n of names) {
        try {
          await e.client().volumes.remove(n, { force: o.force });
          e.out.write(`${n}\n`);
        } catch (err) {
          const status = (err as { status?: number }).status;
          if (status === undefined) throw err;
          errors.push(`Error response from daemon: ${(err as Error).message}`);
        }
      }
      if (errors.length) throw new CliExit(1, errors.join('\n'));
    });

  group
    .command('prune')
    .description('Remove unused local volumes')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<label>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { all?: boolean; filter?: string[]; force?: boolean }) => {
      const e = env();
      const what = o.all ? 'all local volumes' : 'anonymous local volumes';
      if (!o.force && !(await confirm(e, `WARNING! This will remove ${what} not used by at least one container.\nAre you sure you want to continue? [y/N] `))) {
        throw new CliExit(0);
      }
      const filters = [...(o.filter ?? [])];
      if (o.all) filters.push('all=true');
      const res = await e.client().volumes.prune(filtersJson(filters));
      let out = '';
      const deleted = res?.VolumesDeleted ?? [];
      if (deleted.length) out += `Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`;
      out += `Total reclaimed space: ${humanSize(res?.SpaceReclaimed ?? 0)}\n`;
      e.out.write(out);
    });
}
