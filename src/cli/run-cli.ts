import { CommanderError } from 'commander';
import { ApiError, ConnectionError } from '../client/api-client.js';
import { CliExit, createEnv, type CliEnv, type GlobalOptions } from './cli-env.js';

import { commandWord } from './command-groups.js';
import { buildProgram } from './program.js';

/** Docker's error wording and exit codes for whatever a command threw. */
export function reportError(err: unknown, env: Pick<CliEnv, 'err'>): number {
  if (err instanceof CliExit) {
    if (err.message) env.err.write(err.message.endsWith('\n') ? err.message : `${err.message}\n`);
    return err.code;
  }
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    const argv = process.argv.slice(2);
    const word = commandWord(argv);
    if (err.code === 'commander.unknownCommand') {
      env.err.write(`berth: unknown command: berth ${word ?? ''}\n\nRun 'berth --help' for more information\n`);
      return 1;
    }
    if (err.code === 'commander.unknownOption') {
      const flag = /'([^']+)'/.exec(err.message)?.[1] ?? '';
      env.err.write(`unknown flag: ${flag}\n\nRun 'berth ${word ? `${word} ` : ''}--help' for more information\n`);
      return 125;
    }
    if (err.code === 'commander.missingArgument') {
      env.err.write(`berth: 'berth ${word ?? ''}' requires at least 1 argument\n\nSee 'berth ${word ?? ''} --help' for more information\n`);
      return 1;
    }
    env.err.write(`${err.message.replace(/^error: /, '')}\n`);
    return 125;
  }
  if (err instanceof ApiError) {
    env.err.write(`Error response from daemon: ${err.message}\n`);
    return 1;
  }
  if (err instanceof ConnectionError) {
    env.err.write(`${err.message}\n`);
    return 1;
  }
  env.err.write(`${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

/** Runs the command process.argv names; sets process.exitCode as docker's CLI would exit. */
export async function runCli(): Promise<void> {
  let env: CliEnv | undefined;
  const program = await buildProgram(() => (env ??= createEnv(program.opts<GlobalOptions>())));
  try {
    await program.parseAsync(process.argv);
    process.exitCode = process.exitCode ?? 0;
  } catch (err) {
    process.exitCode = reportError(err, env ?? { err: process.stderr });
  }
}

