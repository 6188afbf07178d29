import { mustRun } from '../command.js';
import type { CliEngine } from '../engines.js';
import { alternate, type BenchContext, type Scenario } from '../scenario.js';
import { TlsDaemon } from '../tls-daemon.js';

const PORT = 21620;

/** `ps` against one berthd over its unix socket and over tcp:// with mutual TLS (a fresh handshake per CLI run). */
export const psTls: Scenario = {
  name: 'ps-tls',
  images: [],
  measures: '`<cli> ps` against a berthd of its own, over the unix socket and over tcp:// with mutual TLS (berth tls init certificates)',
  async run(ctx: BenchContext): Promise<void> {
    const engines = ctx.engines.cli.filter((e) => e.family === 'berth');
    const berthCli = engines.find((e) => e.id === 'berth')?.program;
    if (!berthCli) {
      for (const e of engines) ctx.results.skip('ps-tls', e.id, 'needs the berth CLI for `berth tls init`');
      return;
    }
    const daemon = new TlsDaemon(PORT, berthCli);
    try {
      await daemon.start();
      const iterations = ctx.quick ? 5 : 15;
      const variants: [string, (e: CliEngine) => string[]][] = [
        ['ps (unix socket)', (e) => [...e.program, '-H', `unix://${daemon.socket}`, 'ps']],
        ['ps (tcp + mutual TLS)', (e) => [...e.program, ...daemon.tlsFlags(), 'ps']],
      ];
      for (const [name, argv] of variants) {
        await alternate(ctx, engines, {
          scenario: 'ps-tls',
          case: name,
          iterations,
          warmup: async (e) => void (await mustRun(argv(e))),
          sample: async (e) => (await mustRun(argv(e))).seconds,
        });
      }
    } finally {
      await daemon.stop();
    }
  },
};
