import { mustRun } from '../command.js';
import { alternate, type BenchContext, type Scenario } from '../scenario.js';

export const cliStartup: Scenario = {
  name: 'cli-startup',
  images: [],
  measures: '`<cli> version` against its own daemon (client start + two API calls), and `<cli> --version` (client start only)',
  async run(ctx: BenchContext): Promise<void> {
    const iterations = ctx.quick ? 5 : 15;
    await alternate(ctx, ctx.engines.cli, {
      scenario: 'cli-startup',
      case: 'version',
      iterations,
      warmup: async (e) => void (await mustRun([...e.cli, 'version'])),
      sample: async (e) => (await mustRun([...e.cli, 'version'])).seconds,
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
