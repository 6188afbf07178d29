import { Command } from 'commander';
import type { CliEnv } from './cli-env.js';
import { commandGroupsFor } from './command-groups.js';
import { BERTH_CLI_VERSION } from './version.js';

/** Builds the `berth` program with the command groups that `argv` needs (all of them for help). */
export async function buildProgram(getEnv: () => CliEnv, argv: string[] = process.argv.slice(2)): Promise<Command> {
  const program = new Command('berth')
    .description('A self-sufficient runtime for containers')
    .usage('[OPTIONS] COMMAND')
    .option('-H, --host <host>', 'Daemon socket to connect to', (v: string, prev: string[] = []) => [...prev, v])
    .option('--config <dir>', 'Location of client config files')
    .option('-D, --debug', 'Enable debug mode')
    .option('-l, --log-level <level>', 'Set the logging level ("debug", "info", "warn", "error", "fatal")', 'info')
    .option('--tls', 'Use TLS; implied by --tlsverify')
    .option('--tlscacert <file>', 'Trust certs signed only by this CA')
    .option('--tlscert <file>', 'Path to TLS certificate file')
    .option('--tlskey <file>', 'Path to TLS key file')
    .option('--tlsverify', 'Use TLS and verify the remote')
    .option('-c, --context <name>', 'Name of the context to use')
    .version(`Berth version ${BERTH_CLI_VERSION}`, '-v, --version', 'Print version information and quit')
    .enablePositionalOptions()
    .showHelpAfterError(false)
    .exitOverride()
    // Parse errors are worded by reportError, as docker words them.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  const { registers, word } = await commandGroupsFor(argv);
  for (const register of registers) register(program, getEnv, word);
  return program;
}
