import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, runCommand } from '../command.js';
import { ensureImage, runDetached } from '../container-commands.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { TlsDaemon } from '../tls-daemon.js';

// `berth migrate` of nginx with a 100 MiB volume (10 MiB with --quick) into a second berthd of the
// bench's own on this machine. Two figures per sample: the whole command, and the source's downtime
// — the time it spent paused for the copy (from its pause event to its unpause event), after which
// it keeps serving until the destination has passed the health gate and the source is stopped.
// The first sample sends the image; the later ones find its layers there already.

const PORT = 21996;
const NAME = 'berth-bench-migrate';
const VOLUME = 'berth-bench-migrate-data';

/** Seconds between the source's pause and unpause events in [since, until]. */
async function pausedSeconds(cli: string[], since: number, until: number): Promise<number | undefined> {
  const r = await runCommand([
    ...cli, 'events', '--since', String(since), '--until', String(until), '--filter', `container=${NAME}`, '--format', '{{.Action}} {{.TimeNano}}',
  ]);
  const at = (action: string) => r.stdout.split('\n').find((l) => l.startsWith(`${action} `))?.split(' ')[1];
  const p = at('pause');
  const u = at('unpause');
  return p && u ? Number(BigInt(u) - BigInt(p)) / 1e9 : undefined;
}

export const migrateNginx: Scenario = {
  name: 'migrate-nginx',
  images: ['nginx'],
  measures: 'berth migrate of nginx with a 100 MiB volume into a second berthd here: the whole command, and the source paused for the copy',
  async run(ctx: BenchContext): Promise<void> {
    const e = ctx.engines.cli.find((x) => x.id === 'berth');
    if (!e) return;
    const iterations = ctx.quick ? 2 : 4;
    const size = ctx.quick ? 10 << 20 : 100 << 20;
    const dest = new TlsDaemon(PORT, e.cli);
    const berth = (...args: string[]) => mustRun([...e.cli, ...args], { timeoutMs: 600_000 });
    const atDest = (...args: string[]) => runCommand([...e.program, '-H', `unix://${dest.socket}`, ...args], { timeoutMs: 120_000 });
    const totals: number[] = [];
    const paused: number[] = [];
    try {
      await dest.start();
      await ensureImage(e, ctx.images.nginx);
      for (let i = 0; i < iterations; i++) {
        await berth('rm', '-f', NAME).catch(() => undefined);
        await berth('volume', 'rm', '-f', VOLUME).catch(() => undefined);
        await berth('volume', 'create', VOLUME);
        const dir = (await berth('volume', 'inspect', '-f', '{{.Mountpoint}}', VOLUME)).stdout.trim();
        for (let f = 0; f < 10; f++) writeFileSync(join(dir, `blob${f}`), randomBytes(size / 10));
        await runDetached(e, ['--name', NAME, '-v', `${VOLUME}:/usr/share/nginx/html/data`, ctx.images.nginx]);
        const since = Math.floor(Date.now() / 1000) - 1;
        const r = await berth('migrate', NAME, dest.socket, '--wait', '1s');
        totals.push(r.seconds);
        // The docker CLI reads the events (the berth CLI has no `events` command).
        const events = ctx.engines.cli.find((x) => x.id === 'docker-cli-berth')?.cli;
        const p = events ? await pausedSeconds(events, since, Math.ceil(Date.now() / 1000) + 1) : undefined;
        if (p !== undefined) paused.push(p);
        await atDest('rm', '-f', NAME);
        await atDest('volume', 'rm', '-f', VOLUME);
      }
      ctx.results.add({ scenario: 'migrate-nginx', case: 'berth migrate (whole command)', engine: e.id, unit: 's', samples: totals });
      ctx.results.add({ scenario: 'migrate-nginx', case: 'source paused for the copy', engine: e.id, unit: 's', samples: paused });
    } finally {
      await berth('rm', '-f', NAME).catch(() => undefined);
      await berth('volume', 'rm', '-f', VOLUME).catch(() => undefined);
      await dest.stop();
    }
  },
};
