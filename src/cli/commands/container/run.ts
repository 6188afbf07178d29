import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { terminalSize } from '../../streams/tty-size.js';
import { attachAndStart } from './attached-start.js';
import { usageFailure, startFailureCode } from './command-errors.js';
import { addContainerFlags, type ContainerFlags } from './container-flags.js';
import { createContainer, parsePullPolicy } from './create-container.js';
import { buildCreateRequest } from './create-request.js';

// `berth run`: create (pulling if needed), then either print the id (-d) or attach, start and
// end with the container's exit status.

export function registerRunCommand(parent: Command, env: () => CliEnv): void {
  const cmd = parent
    .command('run')
    .description('Create and run a new container from an image')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]');
  addContainerFlags(cmd, true).action((image: string, args: string[], flags: ContainerFlags) => runContainer(env(), image, args, flags));
}

export async function runContainer(e: CliEnv, image: string, args: string[], flags: ContainerFlags): Promise<void> {
  const detach = flags.detach === true;
  const tty = flags.tty === true;
  let req;
  let pull;
  try {
    req = buildCreateRequest(flags, image, args, {
      lookupEnv: (n) => process.env[n],
      detach,
      consoleSize: tty ? terminalSize(process.stdout) : undefined,
    });
    pull = parsePullPolicy(flags.pull as string | undefined);
  } catch (err) {
    throw usageFailure('run', err);
  }
  const config = req.body;
  if (!detach && config.AttachStdin && tty && !process.stdin.isTTY) throw new CliExit(1, 'the input device is not a TTY');

  let id: string;
  try {
    id = await createContainer(e, req, pull, flags.quiet === true);
  } catch (err) {
    throw usageFailure('run', err);
  }
  const start = async (): Promise<void> => {
    await e.client().containers.start(id);
  };

  if (detach) {
    try {
      await start();
    } catch (err) {
      throw usageFailure('run', err, startFailureCode(errorText(err)));
    }
    e.out.write(`${id}\n`);
    return;
  }

  let status: number | 'detached';
  try {
    status = await attachAndStart(e, {
      id,
      tty,
      stdin: config.AttachStdin,
      stdout: config.AttachStdout,
      stderr: config.AttachStderr,
      detachKeys: flags.detachKeys as string | undefined,
      sigProxy: flags.sigProxy !== false,
      autoRemove: config.HostConfig.AutoRemove,
      start,
    });
  } catch (err) {
    throw usageFailure('run', err, startFailureCode(errorText(err)));
  }
  if (status !== 'detached' && status !== 0) throw new CliExit(status);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
