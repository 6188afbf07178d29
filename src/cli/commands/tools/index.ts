import type { Command } from 'commander';
import type { CliEnv } from '../../cli-env.js';
import { registerCompletion } from './completion.js';
import { registerDoctor } from './doctor.js';

/** Commands about the host and the shell rather than the daemon's objects. */
export function registerToolCommands(program: Command, env: () => CliEnv): void {
  registerDoctor(program, env);
  registerCompletion(program, env);
}
