import { ensureImage, removeContainers, runDetached } from '../container-commands.js';
import type { CliEngine } from '../engines.js';
import { waitForHttp200 } from '../http-probe.js';
import { alternate, type BenchContext, type Scenario } from '../scenario.js';

const FIRST_PORT = 18080;
const TIMEOUT_MS = 30_000;
let nextPort = FIRST_PORT;

/** Seconds from spawning `run -d -p 127.0.0.1:<port>:80 nginx` to the first HTTP 200 on that port. */
async function firstOk(e: CliEngine, image: string): Promise<number> {
  // A fresh port each time: no engine meets another's leftovers or a port in TIME_WAIT.
  const port = nextPort++;
  const start = process.hrtime.bigint();
  const run = runDetached(e, ['-p', `127.0.0.1:${port}:80`, image]);
  let id: string | undefined;
  // A failed run ends the polling at once instead of after the timeout.
  const failed = run.then(
    (v) => {
      id = v;
      return new Promise<never>(() => undefined);
    },
    (err: unknown) => Promise.reject(err),
  );
  try {
    return await Promise.race([waitForHttp200('127.0.0.1', port, start, TIMEOUT_MS), failed]);
  } finally {
    await run.catch(() => undefined);
    if (id) await removeContainers(e, [id]);
  }
}

export const nginxFirst200: Scenario = {
  name: 'nginx-first-200',
  images: ['nginx'],
  measures: '`run -d -p 127.0.0.1:<port>:80 nginx` until the first HTTP 200 on the port (raw TCP connect + GET polled in a tight loop)',
  async run(ctx: BenchContext): Promise<void> {
    await alternate(ctx, ctx.engines.cli, {
      scenario: 'nginx-first-200',
      case: 'run -d -p → 200',
      iterations: ctx.quick ? 2 : 6,
      goals: { berth: '≤ 0.15 s', 'docker-cli-berth': '≤ 0.15 s' },
      warmup: async (e) => {
        await ensureImage(e, ctx.images.nginx);
        await firstOk(e, ctx.images.nginx);
      },
      sample: (e) => firstOk(e, ctx.images.nginx),
    });
  },
};
