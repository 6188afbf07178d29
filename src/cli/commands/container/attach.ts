import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../streams/detach-keys.js';
import { sessionOnStdio, withTerminal } from '../../streams/terminal-session.js';

// `berth attach`: our terminal joined to a running container's stdio; ends with its exit status.

interface AttachOptions {
  stdin?: boolean;
  sigProxy?: boolean;
  detachKeys?: string;
}

export function registerAttachCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('attach')
    .description("Attach local standard input, output, and error streams to a running container")
    .usage('[OPTIONS] CONTAINER')
    .argument('<container>')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy', 'Proxy all received signals to the process (default true)')
    .option('--no-sig-proxy', 'Do not proxy signals')
    .action(async (target: string, o: AttachOptions) => {
      const e = env();
      const client = e.client();
      const c = await client.containers.inspect(target);
      if (!c.State?.Running) throw new CliExit(1, 'You cannot attach to a stopped container, start it first');
      if (c.State?.Paused) throw new CliExit(1, 'You cannot attach to a paused container, unpause it first');
      if (c.State?.Restarting) throw new CliExit(1, 'You cannot attach to a restarting container, wait until it is running');
      const tty = c.Config?.Tty === true;
      const stdin = o.stdin !== false && c.Config?.OpenStdin === true;
      const id = c.Id;
      const { response: waitRes, result: status } = await client.containers.wait(id);
      const { socket } = await client.containers.attach(id, { stdin, stdout: true, stderr: true, detachKeys: o.detachKeys });
      const terminal = {
        tty,
        stdin,
        resize: (h: number, w: number) => client.containers.resize(id, h, w),
        forwardSignal: o.sigProxy !== false ? (sig: string) => client.containers.kill(id, sig) : undefined,
      };
      const outcome = await withTerminal(terminal, () => sessionOnStdio(socket, tty, stdin, parseDetachKeys(o.detachKeys || DEFAULT_DETACH_KEYS)));
      if (outcome === 'detached') {
        waitRes.destroy();
        return;
      }
      const result = await status;
      const code = Number(result.StatusCode ?? 0);
      if (code !== 0) throw new CliExit(code);
    });
}
