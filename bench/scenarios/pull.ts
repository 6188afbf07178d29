import { mustRun } from '../command.js';
import { ensureImage, removeImage } from '../container-commands.js';
import type { BenchImages } from '../scenario.js';
import { alternate, type BenchContext, type Scenario } from '../scenario.js';

function pullScenario(image: keyof BenchImages, iterations: number, quickIterations: number): Scenario {
  const name = `pull-${image}`;
  return {
    name,
    images: [image],
    measures: `\`pull\` of ${image} from the local registry 127.0.0.1:5000 after \`rmi\` + \`image prune\` (no layer left)`,
    async run(ctx: BenchContext): Promise<void> {
      const ref = ctx.images[image];
      await alternate(ctx, ctx.engines.cli, {
        scenario: name,
        case: 'pull',
        iterations: ctx.quick ? quickIterations : iterations,
        goals: { berth: '≤ 0.4 × Docker', 'docker-cli-berth': '≤ 0.4 × Docker' },
        warmup: (e) => ensureImage(e, ref),
        sample: async (e) => {
          await removeImage(e, ref);
          return (await mustRun([...e.cli, 'pull', ...e.pullFlags, ref])).seconds;
        },
      });
    },
  };
}

export const pullNginx = pullScenario('nginx', 3, 1);
export const pullBusybox = pullScenario('busybox', 5, 2);
