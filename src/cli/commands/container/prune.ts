import { confirm } from '../../confirm.js';
import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { humanSize } from '../../output/units.js';
import { filtersJson } from './ps.js';

// `berth container prune`: remove stopped containers after docker's confirmation prompt.

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];


export function registerPruneCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('prune')
    .description('Remove all stopped containers')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { filter?: string[]; force?: boolean }) => {
      const e = env();
      if (!o.force && !(await confirm(e, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] '))) {
        throw new CliExit(0);
      }
      const res = await e.client().containers.prune(filtersJson(o.filter ?? []));
      let out = '';
      const deleted = res?.ContainersDeleted ?? [];
      if (deleted.length) out += `Deleted Containers:\n${deleted.map((id) => `${id}\n`).join('')}\n`;
      out += `Total reclaimed space: ${humanSize(res?.SpaceReclaimed ?? 0)}\n`;
      e.out.write(out);
    });
}
