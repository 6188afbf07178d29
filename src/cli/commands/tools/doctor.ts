import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { ConnectionError } from '../../../client/api-client.js';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { formatHostChecks, type HostCheck } from '../../../common/host-check-report.js';

/** Asks the daemon for its host checks; when none answers, berthd --check looks at this host. */
async function collect(e: CliEnv): Promise<HostCheck[]> {
  try {
    const res = await e.client().berth.doctor();
    return [{ name: 'berthd', level: 'ok', detail: `answers at ${e.host}` }, ...res.Checks];
  } catch (err) {
    if (!(err instanceof ConnectionError)) throw err;
    const down: HostCheck = {
      name: 'berthd',
      level: 'fail',
      detail: `no berthd answers at ${e.host}`,
      fix: 'systemctl start berthd   # without systemd: berthd >>/var/log/berthd.log 2>&1 &',
    };
    const local = spawnSync('berthd', ['--check', '--json'], { encoding: 'utf8', timeout: 20_000 });
    if (local.error || !local.stdout.trim()) {
      return [down, { name: 'berthd binary', level: 'fail', detail: 'berthd is not installed on this host', fix: 'apt install ./berth_*.deb' }];
    }
    return [down, ...(JSON.parse(local.stdout) as HostCheck[])];
  }
}

export function registerDoctor(program: Command, env: () => CliEnv): void {
  program
    .command('doctor')
    .description("Check this host for what berthd needs, with the line that fixes each problem")
    .option('--format <format>', 'Output format: "json" or the default report')
    .action(async (opts: { format?: string }) => {
      const e = env();
      const checks = await collect(e);
      e.out.write(opts.format === 'json' ? JSON.stringify(checks, null, 2) + '\n' : formatHostChecks(checks));
      if (checks.some((c) => c.level === 'fail')) throw new CliExit(1);
    });
}
