import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../cli-env.js';
import { confirm } from '../confirm.js';
import { humanSize } from '../output/units.js';
import { filtersJson } from './container/ps.js';

// `berth system prune`: docker's prune of stopped containers, unused networks, dangling (or with
// -a every unused) image, build cache, and with --volumes unused volumes, in one go.

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

interface PruneOptions {
  all?: boolean;
  volumes?: boolean;
  filter?: string[];
  force?: boolean;
}

function warning(o: PruneOptions): string {
  const items = ['all stopped containers', 'all networks not used by at least one container'];
  if (o.volumes) items.push(o.all ? 'all volumes not used by at least one container' : 'all anonymous volumes not used by at least one container');
  items.push(o.all ? 'all images without at least one container associated to them' : 'all dangling images');
  items.push(o.all ? 'all build cache' : 'unused build cache');
  let text = `WARNING! This will remove:\n${items.map((i) => `  - ${i}\n`).join('')}`;
  if (o.filter?.length) text += `\n  Items to be pruned will be filtered with:\n${o.filter.map((f) => `  - ${f}\n`).join('')}`;
  return `${text}\nAre you sure you want to continue? [y/N] `;
}

async function systemPrune(e: CliEnv, o: PruneOptions): Promise<void> {
  const filter = o.filter ?? [];
  if (o.volumes && filter.some((f) => f.startsWith('until='))) {
    e.err.write('ERROR: The "until" filter is not supported with "--volumes"\n');
    throw new CliExit(1);
  }
  if (!o.force && !(await confirm(e, warning(o)))) throw new CliExit(0);
  const client = e.client();
  let reclaimed = 0;
  let out = '';
  const section = (title: string, lines: string[]) => {
    if (lines.length) out += `${title}:\n${lines.map((l) => `${l}\n`).join('')}\n`;
  };
  const c = await client.containers.prune(filtersJson(filter));
  section('Deleted Containers', c?.ContainersDeleted ?? []);
  reclaimed += c?.SpaceReclaimed ?? 0;
  const n = await client.networks.prune(filtersJson(filter));
  section('Deleted Networks', n?.NetworksDeleted ?? []);
  if (o.volumes) {
    const v = await client.volumes.prune(filtersJson(o.all ? [...filter, 'all=true'] : filter));
    section('Deleted Volumes', v?.VolumesDeleted ?? []);
    reclaimed += v?.SpaceReclaimed ?? 0;
  }
  const imageFilters = filtersJson(filter) ?? {};
  if (o.all) imageFilters.dangling = { false: true };
  const i = await client.images.prune(imageFilters);
  section(
    'Deleted Images',
    (i?.ImagesDeleted ?? []).map((r) => (r.Untagged ? `untagged: ${r.Untagged}` : `deleted: ${r.Deleted}`)),
  );
  reclaimed += i?.SpaceReclaimed ?? 0;
  const b = await client.images.buildPrune({ all: o.all, filters: filtersJson(filter) }).catch(() => undefined);
  section('Deleted build cache objects', b?.CachesDeleted ?? []);
  reclaimed += b?.SpaceReclaimed ?? 0;
  e.out.write(`${out}Total reclaimed space: ${humanSize(reclaimed)}\n`);
}

export function registerSystemPruneCommand(program: Command, env: () => CliEnv): void {
  const system = program.commands.find((c) => c.name() === 'system') ?? program.command('system').description('Manage berth');
  system
    .command('prune')
    .description('Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<key>=<value>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune anonymous volumes')
    .action((o: PruneOptions) => systemPrune(env(), o));
}
