import { CONTAINER_TIMEOUT_MS, mustRun } from '../command.js';
import { ensureImage, runArgv } from '../container-commands.js';
import { CrunBundle } from '../crun-bundle.js';
import type { CliEngine } from '../engines.js';
import { alternate, type BenchContext, type Scenario, type Timed } from '../scenario.js';

type Runner = Timed & { cli?: CliEngine };

function runRmScenario(name: string, networkArgs: readonly string[], goals: Record<string, string>): Scenario {
  return {
    name,
    images: ['busybox'],
    measures: `\`run --rm ${[...networkArgs, 'busybox true'].join(' ')}\` until the CLI exits; crun alone runs a prepared bundle (no network namespace setup)`,
    async run(ctx: BenchContext): Promise<void> {
      const runners: Runner[] = ctx.engines.cli.map((e) => ({ id: e.id, cli: e }));
      let bundle: CrunBundle | undefined;
      if (ctx.engines.crun) {
        bundle = await CrunBundle.create(ctx.engines.crun, ['/bin/true']);
        runners.push({ id: 'crun' });
      }
      let seq = 0;
      const once = async (r: Runner): Promise<number> => {
        if (!r.cli) return (await mustRun(bundle!.runArgv(`berth-bench-${process.pid}-${seq++}`), { timeoutMs: CONTAINER_TIMEOUT_MS })).seconds;
        return (await mustRun(runArgv(r.cli, ['--rm', ...networkArgs, ctx.images.busybox, 'true']), { timeoutMs: CONTAINER_TIMEOUT_MS })).seconds;
      };
      try {
        await alternate(ctx, runners, {
          scenario: name,
          case: 'run --rm',
          iterations: ctx.quick ? 4 : 12,
          goals,
          warmup: async (r) => {
            if (r.cli) await ensureImage(r.cli, ctx.images.busybox);
            await once(r);
          },
          sample: once,
        });
      } finally {
        bundle?.remove();
      }
    },
  };
}

export const runRmTrue = runRmScenario('run-rm-true', [], { berth: '≤ 0.12 s', 'docker-cli-berth': '≤ 0.10 s' });
export const runRmTrueNone = runRmScenario('run-rm-true-none', ['--network', 'none'], {});
