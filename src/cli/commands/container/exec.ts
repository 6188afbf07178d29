import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../streams/detach-keys.js';
import { sessionOnStdio, withTerminal } from '../../streams/terminal-session.js';
import { terminalSize } from '../../streams/tty-size.js';
import { expandEnv, readKeyValueFile } from './key-value-files.js';

// `berth exec`: create an exec instance, start it hijacked (or detached), end with its exit code.

interface ExecOptions {
  detach?: boolean;
  detachKeys?: string;
  env?: string[];
  envFile?: string[];
  interactive?: boolean;
  privileged?: boolean;
  tty?: boolean;
  user?: string;
  workdir?: string;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function registerExecCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('exec')
    .description('Execute a command in a running container')
    .usage('[OPTIONS] CONTAINER COMMAND [ARG...]')
    .argument('<container>')
    .argument('<command...>')
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('-e, --env <var>', 'Set environment variables', collect)
    .option('--env-file <file>', 'Read in a file of environment variables', collect)
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--privileged', 'Give extended privileges to the command')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .passThroughOptions()
    .action((target: string, cmd: string[], o: ExecOptions) => execCommand(env(), target, cmd, o));
}

export async function execCommand(e: CliEnv, target: string, cmd: string[], o: ExecOptions): Promise<void> {
  const client = e.client();
  const lookup = (n: string): string | undefined => process.env[n];
  const envList = [...(o.envFile ?? []).flatMap((f) => readKeyValueFile(f, lookup)), ...(o.env ?? []).map((v) => expandEnv(v, lookup))];
  const tty = o.tty === true;
  const detach = o.detach === true;
  const stdin = o.interactive === true && !detach;
  if (tty && stdin && !process.stdin.isTTY) throw new CliExit(1, 'the input device is not a TTY');
  const consoleSize = tty ? terminalSize(process.stdout) : undefined;
  const created = await client.containers.exec(target, {
    User: o.user ?? '',
    Privileged: o.privileged === true,
    Tty: tty,
    ConsoleSize: consoleSize ?? null,
    AttachStdin: stdin,
    AttachStderr: !detach,
    AttachStdout: !detach,
    DetachKeys: o.detachKeys ?? '',
    Env: envList.length ? envList : null,
    WorkingDir: o.workdir ?? '',
    Cmd: cmd,
  });
  const execId = created.Id;
  if (detach) {
    await client.exec.startDetached(execId, { Detach: true, Tty: tty, ConsoleSize: consoleSize ?? null });
    return;
  }
  const { socket } = await client.exec.startAttached(execId, { Detach: false, Tty: tty, ConsoleSize: consoleSize ?? null });
  const resize = (h: number, w: number) => client.exec.resize(execId, h, w);
  const outcome = await withTerminal({ tty, stdin, resize }, () => sessionOnStdio(socket, tty, stdin, parseDetachKeys(o.detachKeys || DEFAULT_DETACH_KEYS)));
  if (outcome === 'detached') return;
  const inspect = await client.exec.inspect(execId);
  const code = Number(inspect.ExitCode ?? 0);
  if (code !== 0) throw new CliExit(code);
}
