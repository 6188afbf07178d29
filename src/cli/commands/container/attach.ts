import type { Command } from 'commander';
import { readAll } from '../../../client/api-client.js';
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
      const c = await client.call('GET', `/containers/${encodeURIComponent(target)}/json`);
      if (!c.State?.Running) throw new CliExit(1, 'You cannot attach to a stopped container, start it first');
      if (c.State?.Paused) throw new CliExit(1, 'You cannot attach to a paused container, unpause it first');
      if (c.State?.Restarting) throw new CliExit(1, 'You cannot attach to a restarting container, wait until it is running');
      const tty = c.Config?.Tty === true;
      const stdin = o.stdin !== false && c.Config?.OpenStdin === true;
      const id = encodeURIComponent(c.Id);
      const waitRes = await client.stream('POST', `/containers/${id}/wait`);
      const status = readAll(waitRes).then((b) => JSON.parse(b.toString('utf8') || '{}'));
      status.catch(() => undefined);
      const { socket } = await client.hijack(`/containers/${id}/attach`, {
        query: { stream: 1, stdin: stdin ? 1 : undefined, stdout: 1, stderr: 1, detachKeys: o.detachKeys || undefined },
      });
      const terminal = {
        tty,
        stdin,
        resize: (h: number, w: number) => client.call('POST', `/containers/${id}/resize`, { query: { h, w } }),
        forwardSignal: o.sigProxy !== false ? (sig: string) => client.call('POST', `/containers/${id}/kill`, { query: { signal: sig } }) : undefined,
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
