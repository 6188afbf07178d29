import type { Command } from 'commander';
import type { CliEnv } from '../../cli-env.js';
import { demultiplex } from '../../streams/demultiplex.js';
import { parseTimestamp } from '../../output/units.js';

// `berth logs`: the container's log stream, demultiplexed to stdout/stderr (raw for TTY containers).

interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  details?: boolean;
}

export function registerLogsCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('logs')
    .description('Fetch the logs of a container')
    .usage('[OPTIONS] CONTAINER')
    .argument('<container>')
    .option('--details', 'Show extra details provided to logs')
    .option('-f, --follow', 'Follow log output')
    .option('--since <string>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-n, --tail <string>', 'Number of lines to show from the end of the logs (default "all")')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--until <string>', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .action(async (target: string, o: LogsOptions) => {
      const e = env();
      const c = await e.client().containers.inspect(target);
      const res = await e.client().containers.logs(c.Id, {
        stdout: 1,
        stderr: 1,
        follow: o.follow || undefined,
        tail: o.tail ?? 'all',
        since: o.since ? parseTimestamp(o.since) : undefined,
        until: o.until ? parseTimestamp(o.until) : undefined,
        timestamps: o.timestamps || undefined,
        details: o.details || undefined,
      });
      if (c.Config?.Tty) {
        for await (const chunk of res) e.out.write(chunk);
      } else await demultiplex(res, e.out, e.err);
    });
}
