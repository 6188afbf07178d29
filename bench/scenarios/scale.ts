import { mustRun } from '../command.js';
import { ensureImage, removeContainers, runDetached } from '../container-commands.js';
import { restartBerthd } from '../berthd-restart.js';
import { daemonPid, daemonTree } from '../engine-processes.js';
import type { CliEngine } from '../engines.js';
import { listProcesses, totalRssMiB } from '../process-table.js';
import { onePerDaemon, type BenchContext, type Scenario } from '../scenario.js';
import { percentile } from '../stats.js';
import { statsBurst } from '../stats-burst.js';

// Many running containers on one daemon, grown step by step to each count of --scale: what `ps`,
// the next `run -d`, `events` and `stats --no-stream` cost there, the daemon's RSS per extra
// container, and (berth) how long a restarted berthd takes to answer with all of them adopted.
// Docker runs without live-restore here, so a dockerd restart would stop its containers: not timed.

const SETTLE_MS = 2000;
const median = (s: readonly number[]): number => percentile(s, 50) ?? NaN;

async function timed(argv: string[], n: number): Promise<number> {
  const s: number[] = [];
  for (let i = 0; i < n; i++) s.push((await mustRun(argv, { timeoutMs: 300_000 })).seconds);
  return median(s);
}

async function measure(ctx: BenchContext, e: CliEngine): Promise<void> {
  await ensureImage(e, ctx.images.busybox);
  const ids: string[] = [];
  const add = (kase: string, unit: 's' | 'MiB', value: number, note?: string, goal?: string): void =>
    ctx.results.add({ scenario: 'scale', case: kase, engine: e.id, unit, samples: [value], note, goal: e.family === 'berth' ? goal : undefined });
  const rss = async (): Promise<number> => {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return totalRssMiB(daemonTree(e, listProcesses()));
  };
  const since = Math.floor(Date.now() / 1000);
  const runTimes: number[] = [];
  let first: { n: number; rss: number } | undefined;
  try {
    for (const n of ctx.scale) {
      const t = Date.now();
      while (ids.length < n) {
        const start = process.hrtime.bigint();
        ids.push(await runDetached(e, [ctx.images.busybox, 'sleep', '86400']));
        runTimes.push(Number(process.hrtime.bigint() - start) / 1e9);
      }
      ctx.log(`  ${e.id}: ${n} running (${((Date.now() - t) / 1000).toFixed(0)} s)`);
      const last = runTimes.slice(-Math.min(5, n));
      add(`${n} running: run -d (last ${last.length})`, 's', median(last), undefined, n === ctx.scale.at(-1) ? '≤ 1.2 × the first run -d' : undefined);
      add(`${n} running: ps`, 's', await timed([...e.cli, 'ps'], 5), undefined, '≤ 0.05 s');
      add(`${n} running: events --until now`, 's', await timed([...e.cli, 'events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000))], 3), undefined, '≤ 1 s');
      add(`${n} running: stats --no-stream`, 's', await timed([...e.cli, 'stats', '--no-stream'], 3), e.program[0]?.endsWith('docker') ? 'the docker CLI renders 0.5 s after the last answer' : undefined, '≤ 1 s');
      if (e.socketPath) {
        const bursts: number[] = [];
        for (let i = 0; i < 3; i++) bursts.push(await statsBurst(e.socketPath, ids));
        add(`${n} running: stats API, all at once`, 's', median(bursts), 'one stream=false request per container, as the CLI sends them', '≤ 0.5 s');
      }
      const mib = await rss();
      add(`${n} running: daemon RSS`, 'MiB', mib, 'daemon and its helpers, without conmon/shims');
      // berthd is restarted at every count (below): its RSS per container compares fresh daemons.
      if (e.family !== 'berth') {
        if (!first) first = { n, rss: mib };
        else add(`${n} running: RSS per extra container`, 'MiB', (mib - first.rss) / (n - first.n), `(RSS at ${n} − at ${first.n}) / ${n - first.n}`);
      }
      if (e.family === 'berth') {
        const pid = daemonPid(e, listProcesses());
        if (pid === undefined) throw new Error('berthd process not found');
        const r = await restartBerthd(pid, e.socketPath!);
        const listed = (await mustRun([...e.cli, 'ps', '-q'])).stdout.split('\n').filter(Boolean).length;
        const runningAfter = Number((await mustRun([...e.cli, 'info', '--format', '{{.ContainersRunning}}'])).stdout.trim());
        add(`${n} running: berthd restart until it answers`, 's', r.seconds, `${listed} listed, ${runningAfter} running after`, '≤ 3 s');
        if (runningAfter < n) throw new Error(`only ${runningAfter} of ${n} containers running after the berthd restart`);
        const fresh = await rss();
        add(`${n} running: berthd RSS just restarted`, 'MiB', fresh, 'with every container adopted');
        if (!first) first = { n, rss: fresh };
        else add(`${n} running: RSS per extra container`, 'MiB', (fresh - first.rss) / (n - first.n), `(restarted RSS at ${n} − at ${first.n}) / ${n - first.n}`, '≤ 0.05 MiB');
      }
    }
    add('first run -d', 's', runTimes[0]!);
  } finally {
    for (let i = 0; i < ids.length; i += 50) await removeContainers(e, ids.slice(i, i + 50)).catch((err) => ctx.log(`  ${e.id}: rm: ${(err as Error).message}`));
  }
}

export const scale: Scenario = {
  name: 'scale',
  images: ['busybox'],
  measures: '`run -d busybox sleep` up to each --scale count: ps, the latest run -d, events, stats --no-stream, daemon RSS, berthd restart',
  async run(ctx: BenchContext): Promise<void> {
    // berthd through the docker CLI where there is one: berth's own CLI has no `events`.
    const engines = onePerDaemon([...ctx.engines.cli].sort((a, b) => Number(b.id === 'docker-cli-berth') - Number(a.id === 'docker-cli-berth')));
    for (const e of engines) {
      try {
        await measure(ctx, e);
      } catch (err) {
        ctx.results.skip('scale', e.id, `failed: ${(err as Error).message}`);
        ctx.log(`  ${e.id}: ${(err as Error).message}`);
      }
    }
  },
};
