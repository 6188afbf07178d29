import type { Command } from 'commander';
import type { CliEnv } from '../../cli-env.js';
import { registerAttachCommand } from './attach.js';
import { registerCreateCommand } from './create.js';
import { registerExecCommand } from './exec.js';
import { registerInspectCommand } from './inspect.js';
import { registerLifecycleCommands } from './lifecycle.js';
import { registerLogsCommand } from './logs.js';
import { registerPortCommand } from './port.js';
import { registerPruneCommand } from './prune.js';
import { registerPsCommand } from './ps.js';
import { registerRunCommand } from './run.js';
import { registerStatsCommand } from './stats.js';
import { registerTopCommand } from './top.js';
import { registerUpdateCommand } from './update.js';

// The container verbs, both at the top level (`berth run`) and under `berth container`.

function registerVerbs(parent: Command, env: () => CliEnv): void {
  registerRunCommand(parent, env);
  registerCreateCommand(parent, env);
  registerLifecycleCommands(parent, env);
  registerLogsCommand(parent, env);
  registerExecCommand(parent, env);
  registerAttachCommand(parent, env);
  registerTopCommand(parent, env);
  registerStatsCommand(parent, env);
  registerPortCommand(parent, env);
  registerUpdateCommand(parent, env);
}

type Register = (parent: Command, env: () => CliEnv) => void;

/** The registration that defines each top-level verb, so `berth ps` builds `ps` alone. */
const TOP_LEVEL: Record<string, Register> = {
  run: registerRunCommand,
  create: registerCreateCommand,
  logs: registerLogsCommand,
  exec: registerExecCommand,
  attach: registerAttachCommand,
  top: registerTopCommand,
  stats: registerStatsCommand,
  port: registerPortCommand,
  update: registerUpdateCommand,
  ps: (p, e) => registerPsCommand(p, e),
  inspect: (p, e) => registerInspectCommand(p, e, false),
  ...Object.fromEntries(['start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'wait', 'rename', 'rm'].map((v) => [v, registerLifecycleCommands])),
};

/**
 * `word` is the command asked for: a top-level verb builds only its own command (run's hundred
 * flags cost more to declare than `berth ps` takes to answer); anything else builds them all.
 */
export function registerContainerCommands(program: Command, env: () => CliEnv, word?: string): void {
  const only = word === undefined ? undefined : TOP_LEVEL[word];
  if (only) return only(program, env);
  registerVerbs(program, env);
  registerPsCommand(program, env);
  registerInspectCommand(program, env, false);

  const group = program.command('container').description('Manage containers').usage('COMMAND').enablePositionalOptions();
  registerVerbs(group, env);
  registerPsCommand(group, env, 'ls', ['ps', 'list']);
  registerInspectCommand(group, env, true);
  registerPruneCommand(group, env);
}
