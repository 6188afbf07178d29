import type { Command } from 'commander';
import type { CliEnv } from '../../cli-env.js';
import { alignColumns } from '../../output/table.js';

// `berth top CONTAINER [ps OPTIONS]`: the daemon's ps output as docker lays it out (min width 20).

export function registerTopCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('top')
    .description('Display the running processes of a container')
    .usage('CONTAINER [ps OPTIONS]')
    .argument('<container>')
    .argument('[psArgs...]')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (target: string, psArgs: string[]) => {
      const e = env();
      const top = await e.client().containers.top(target, psArgs.length ? psArgs.join(' ') : undefined);
      const lines = [(top.Titles ?? []).join('\t'), ...(top.Processes ?? []).map((p) => p.join('\t'))];
      e.out.write(alignColumns(lines.join('\n') + '\n', { minWidth: 20, padding: 3, padChar: ' ' }));
    });
}
