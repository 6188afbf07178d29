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

export function registerContainerCommands(program: Command, env: () => CliEnv): void {
  registerVerbs(program, env);
  registerPsCommand(program, env);
  registerInspectCommand(program, env, false);

  const group = program.command('container').description('Manage containers').usage('COMMAND').enablePositionalOptions();
  registerVerbs(group, env);
  registerPsCommand(group, env, 'ls', ['ps', 'list']);
  registerInspectCommand(group, env, true);
  registerPruneCommand(group, env);
}
