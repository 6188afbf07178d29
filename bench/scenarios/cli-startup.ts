import { mustRun } from '../command.js';
import { alternate, type BenchContext, type Scenario } from '../scenario.js';

export const cliStartup: Scenario = {
  name: 'cli-startup',
  images: [],
  measures: '`<cli> version` and `<cli> ps` against its own daemon, `<cli> --version` (client start only), and `node -e 0` (the floor under berth\'s CLI)',
  async run(ctx: BenchContext): Promise<void> {
    const iterations = ctx.quick ? 5 : 15;
    await alternate(ctx, ctx.engines.cli, {
      scenario: 'cli-startup',
      case: 'version',
      iterations,
      warmup: async (e) => void (await mustRun([...e.cli, 'version'])),
      sample: async (e) => (await mustRun([...e.cli, 'version'])).seconds,
    });
    await alternate(ctx, ctx.engines.cli, {
      scenario: 'cli-startup',
      case: 'ps',
      iterations,
      goals: { berth: '≤ 1.3 × node -e 0' },
      warmup: async (e) => void (await mustRun([...e.cli, 'ps'])),
      sample: async (e) => (await mustRun([...e.cli, 'ps'])).seconds,
    });
    // The floor under the berth CLI: a node process that runs nothing.
    const berth = ctx.engines.cli.filter((e) => e.id === 'berth');
    await alternate(ctx, berth, {
      scenario: 'cli-startup',
      case: 'node -e 0 (floor)',
      iterations,
      sample: async () => (await mustRun([process.execPath, '-e', '0'])).seconds,
    });
    // `docker --version` is the same binary whatever daemon it points at: timed once, under Docker.
    const clients = ctx.engines.cli.filter((e) => e.id !== 'docker-cli-berth');
    await alternate(ctx, clients, {
      scenario: 'cli-startup',
      case: '--version',
      iterations,
      warmup: async (e) => void (await mustRun([...e.program, '--version'])),
      sample: async (e) => (await mustRun([...e.program, '--version'])).seconds,
    });
  },
};
