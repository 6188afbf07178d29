import type { Command } from 'commander';
import type { CliEnv } from '../../cli-env.js';
import { terminalSize } from '../../streams/tty-size.js';
import { usageFailure } from './command-errors.js';
import { addContainerFlags, type ContainerFlags } from './container-flags.js';
import { createContainer, parsePullPolicy } from './create-container.js';
import { buildCreateRequest } from './create-request.js';

// `berth create`: the container is made (pulling if needed) and its id printed.

export function registerCreateCommand(parent: Command, env: () => CliEnv): void {
  const cmd = parent
    .command('create')
    .description('Create a new container')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]');
  addContainerFlags(cmd, false).action(async (image: string, args: string[], flags: ContainerFlags) => {
    const e = env();
    let req;
    let pull;
    try {
      req = buildCreateRequest(flags, image, args, { lookupEnv: (n) => process.env[n], consoleSize: flags.tty ? terminalSize(process.stdout) : undefined });
      pull = parsePullPolicy(flags.pull as string | undefined);
    } catch (err) {
      throw usageFailure('create', err);
    }
    try {
      e.out.write(`${await createContainer(e, req, pull, flags.quiet === true)}\n`);
    } catch (err) {
      throw usageFailure('create', err);
    }
  });
}
