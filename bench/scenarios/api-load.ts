import { ensureImage, removeContainers } from '../container-commands.js';
import { daemonTree } from '../engine-processes.js';
import type { CliEngine } from '../engines.js';
import { runLoad } from '../load-client.js';
import { listProcesses, totalRssMiB } from '../process-table.js';
import { measureEach, onePerDaemon, type BenchContext, type Scenario } from '../scenario.js';
import { checkRunning, startSleepers } from './run-twenty.js';

// Many API clients at once against a daemon with a few dozen containers: what a dashboard, a CI
// fleet or a monitoring agent does. Throughput and latency under that load, and whether the
// daemon gives its memory back once the load is gone.

interface LoadSetting {
  clients: number;
  seconds: number;
  containers: number;
  /** How long after the load the last RSS is read. */
  settleSeconds: number;
}

const FULL: LoadSetting = { clients: 200, seconds: 20, containers: 30, settleSeconds: 60 };
const QUICK: LoadSetting = { clients: 50, seconds: 5, containers: 10, settleSeconds: 10 };

/** The daemon's own memory (berthd; dockerd with containerd), without the containers' monitors. */
function daemonRssMiB(e: CliEngine): number {
  const tree = daemonTree(e, listProcesses()).filter((p) => p.comm !== 'conmon' && !p.comm.startsWith('containerd-shim'));
  return totalRssMiB(tree);
}

async function measure(ctx: BenchContext, e: CliEngine, s: LoadSetting): Promise<void> {
  await ensureImage(e, ctx.images.busybox);
  const ids = await startSleepers(e, ctx.images.busybox, s.containers, true);
  try {
    await checkRunning(e, ids);
    // The mix of a busy client: list, inspect (each container in turn), ping, images.
    const paths = ids.flatMap((id) => ['/containers/json', `/containers/${id}/json`, '/_ping', '/images/json']);
    const before = daemonRssMiB(e);
    const r = await runLoad({ socketPath: e.socketPath!, clients: s.clients, durationMs: s.seconds * 1000, paths });
    const atEnd = daemonRssMiB(e);
    await new Promise((res) => setTimeout(res, s.settleSeconds * 1000));
    const later = daemonRssMiB(e);
    const berth = e.family === 'berth';
    const note = `${s.clients} clients, ${s.seconds} s, ${s.containers} containers; ${r.requests} requests${r.errors ? `, ${r.errors} failed (${r.errorSamples.join('; ')})` : ''}`;
    const add = (kase: string, unit: 's' | 'MiB' | 'req/s', value: number, goal?: string, n = note): void =>
      ctx.results.add({ scenario: 'api-load', case: kase, engine: e.id, unit, samples: [value], goal: berth ? goal : undefined, note: n });
    add('throughput', 'req/s', r.throughput, '≥ Docker');
    add('latency p50', 's', r.p50);
    add('latency p99', 's', r.p99);
    add('daemon RSS before', 'MiB', before, undefined, '');
    add('daemon RSS at end', 'MiB', atEnd, undefined, '');
    add(`daemon RSS ${s.settleSeconds} s later`, 'MiB', later, `≤ before + 10 MiB (${(before + 10).toFixed(1)})`, '');
  } finally {
    await removeContainers(e, ids);
  }
}

export const apiLoad: Scenario = {
  name: 'api-load',
  images: ['busybox'],
  measures: `${FULL.clients} concurrent API clients for ${FULL.seconds} s against ${FULL.containers} running containers (containers/json, inspect, _ping, images/json): throughput, p50/p99 latency, daemon RSS before, at the end and ${FULL.settleSeconds} s later (--quick: ${QUICK.clients} clients, ${QUICK.seconds} s, ${QUICK.containers} containers, ${QUICK.settleSeconds} s)`,
  async run(ctx: BenchContext): Promise<void> {
    const setting = ctx.quick ? QUICK : FULL;
    for (const e of ctx.engines.cli) if (!e.socketPath) ctx.results.skip('api-load', e.id, 'no API daemon (podman system service is not used)');
    await measureEach(ctx, 'api-load', onePerDaemon(ctx.engines.cli).filter((x) => x.socketPath), (e) => measure(ctx, e, setting));
  },
};
