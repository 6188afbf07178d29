import type { Command } from 'commander';
import { ApiError } from '../../../client/api-client.js';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { attachAndStart } from './attached-start.js';
import { forEachTarget } from './command-errors.js';

// The verbs that change a container's state: start, stop, kill, restart, pause, unpause, wait,
// rename, rm. Several targets: each one reported, status 1 if any failed.

export function registerLifecycleCommands(parent: Command, env: () => CliEnv): void {
  parent
    .command('start')
    .description('Start one or more stopped containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<containers...>')
    .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('-i, --interactive', "Attach container's STDIN")
    .action(async (targets: string[], o: { attach?: boolean; interactive?: boolean; detachKeys?: string }) => {
      const e = env();
      if (o.attach || o.interactive) {
        if (targets.length > 1) throw new CliExit(1, 'you cannot start and attach multiple containers at once');
        const c = await e.client().containers.inspect(targets[0]!);
        const stdin = o.interactive === true && c.Config?.OpenStdin === true;
        let status;
        try {
          status = await attachAndStart(e, {
            id: c.Id,
            tty: c.Config?.Tty === true,
            stdin,
            stdout: true,
            stderr: true,
            detachKeys: o.detachKeys,
            sigProxy: true,
            autoRemove: c.HostConfig?.AutoRemove === true,
            start: () => e.client().containers.start(c.Id),
          });
        } catch (err) {
          throw new CliExit(1, errorLine(err));
        }
        if (status !== 'detached' && status !== 0) throw new CliExit(status);
        return;
      }
      await forEachTarget(targets, e.out, async (t) => {
        await e.client().containers.start(t);
        return t;
      });
    });

  parent
    .command('stop')
    .description('Stop one or more running containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<containers...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --time <int>', 'Seconds to wait before killing the container')
    .option('--timeout <int>', 'Seconds to wait before killing the container (deprecated)')
    .action(async (targets: string[], o: { signal?: string; time?: string; timeout?: string }) => {
      const e = env();
      const t = o.time ?? o.timeout;
      await forEachTarget(targets, e.out, async (id) => {
        await e.client().containers.stop(id, { signal: o.signal, t });
        return id;
      });
    });

  parent
    .command('restart')
    .description('Restart one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<containers...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --time <int>', 'Seconds to wait before killing the container')
    .action(async (targets: string[], o: { signal?: string; time?: string }) => {
      const e = env();
      await forEachTarget(targets, e.out, async (id) => {
        await e.client().containers.restart(id, { signal: o.signal, t: o.time });
        return id;
      });
    });

  parent
    .command('kill')
    .description('Kill one or more running containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<containers...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .action(async (targets: string[], o: { signal?: string }) => {
      const e = env();
      await forEachTarget(targets, e.out, async (id) => {
        await e.client().containers.kill(id, o.signal);
        return id;
      });
    });

  for (const [verb, description] of [
    ['pause', 'Pause all processes within one or more containers'],
    ['unpause', 'Unpause all processes within one or more containers'],
  ] as const) {
    parent
      .command(verb)
      .description(description)
      .usage('CONTAINER [CONTAINER...]')
      .argument('<containers...>')
      .action(async (targets: string[]) => {
        const e = env();
        await forEachTarget(targets, e.out, async (id) => {
          await e.client().containers[verb](id);
          return id;
        });
      });
  }

  parent
    .command('wait')
    .description('Block until one or more containers stop, then print their exit codes')
    .usage('CONTAINER [CONTAINER...]')
    .argument('<containers...>')
    .action(async (targets: string[]) => {
      const e = env();
      await forEachTarget(targets, e.out, async (id) => {
        const body = await (await e.client().containers.wait(id)).result;
        if (body.Error?.Message) throw new Error(body.Error.Message);
        return String(body.StatusCode ?? 0);
      });
    });

  parent
    .command('rename')
    .description('Rename a container')
    .usage('CONTAINER NEW_NAME')
    .argument('<container>')
    .argument('<newName>')
    .action(async (target: string, newName: string) => {
      const e = env();
      if (!newName.trim()) throw new CliExit(1, 'Error: neither old nor new names may be empty');
      await e.client().containers.rename(target, newName);
    });

  parent
    .command('rm')
    .aliases(['remove'])
    .description('Remove one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<containers...>')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-l, --link', 'Remove the specified link')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .action(async (targets: string[], o: { force?: boolean; link?: boolean; volumes?: boolean }) => {
      const e = env();
      await forEachTarget(targets, e.out, async (id) => {
        const name = id.replace(/^\/+/, '');
        if (!name) throw new Error('Container name cannot be empty');
        await e.client().containers.remove(name, { force: o.force, volumes: o.volumes, link: o.link });
        return id;
      });
    });
}

function errorLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return err instanceof ApiError ? `Error response from daemon: ${msg}` : msg;
}
