import { SocketHttp } from '../http-probe.js';
import { alternate, onePerDaemon, type BenchContext, type Scenario } from '../scenario.js';

export const apiVersion: Scenario = {
  name: 'api-version',
  images: [],
  measures: 'one GET /version round trip over the daemon socket (Node http client), 50 per engine',
  async run(ctx: BenchContext): Promise<void> {
    const daemons = onePerDaemon(ctx.engines.cli).filter((e) => e.socketPath);
    for (const e of ctx.engines.cli) if (!e.socketPath) ctx.results.skip('api-version', e.id, 'no API daemon (podman system service is not used)');
    for (const keepAlive of [true, false]) {
      const clients = new Map(daemons.map((e) => [e.id, new SocketHttp(e.socketPath!, keepAlive)]));
      try {
        await alternate(ctx, daemons, {
          scenario: 'api-version',
          case: keepAlive ? 'keep-alive' : 'new connection',
          iterations: 50,
          warmup: async (e) => void (await clients.get(e.id)!.roundTrip('/version')),
          sample: (e) => clients.get(e.id)!.roundTrip('/version'),
        });
      } finally {
        for (const c of clients.values()) c.close();
      }
    }
  },
};
