import type { Command } from 'commander';
import type { CliEnv } from '../cli-env.js';

export function registerConsoleCommands(program: Command, env: () => CliEnv): void {
  const group = program.command('console').description("Sign in to berthd's web console");
  group
    .command('token')
    .description('Print a one-time sign-in link for the web console (good for 10 minutes)')
    .option('--readonly', 'The session may look but not change anything')
    .action(async (opts: { readonly?: boolean }) => {
      const e = env();
      const res = await e.client().berth.consoleToken(opts.readonly === true);
      e.out.write(`${res.Link}\n`);
    });
}
