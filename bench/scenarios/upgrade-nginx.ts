import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTAINER_TIMEOUT_MS, mustRun, runCommand } from '../command.js';
import { ensureImage, removeContainers, runDetached } from '../container-commands.js';
import type { CliEngine } from '../engines.js';
import type { BenchContext, Scenario } from '../scenario.js';

// berth's own `upgrade` (no other engine has one): nginx serving "v1" is upgraded, stop-first, to an
// image serving "v2" while a probe loop GETs the published port. Two figures per sample: seconds from
// the command to the first "v2", and the longest gap between answered probes during the upgrade.

const FIRST_PORT = 21850;
const V2_TAG = 'berth-bench-upgrade:v2';
let nextPort = FIRST_PORT;

/** One GET /; the body, or undefined when nothing answered within the limit. */
function probe(port: number, limitMs = 200): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: limitMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

async function upgradeOnce(e: CliEngine, v1: string): Promise<{ toNew: number; gap: number }> {
  const port = nextPort++;
  if (nextPort > 21899) nextPort = FIRST_PORT;
  // By name: the upgraded container has a new id.
  const name = `berth-bench-upgrade-${port}`;
  await runDetached(e, ['--name', name, '-p', `127.0.0.1:${port}:80`, v1]);
  try {
    for (let i = 0; (await probe(port)) === undefined; i++) {
      if (i > 300) throw new Error(`nginx on ${port} never answered`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const start = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
    // The gate's wait is kept short: the figures are about the switch, not the wait after it.
    const cmd = runCommand([...e.cli, 'upgrade', name, V2_TAG, '--wait', '1s'], { timeoutMs: CONTAINER_TIMEOUT_MS });
    let doneAt: number | undefined;
    void cmd.finally(() => (doneAt = seconds()));
    let lastOk = 0;
    let gap = 0;
    let toNew: number | undefined;
    while (doneAt === undefined || toNew === undefined) {
      const body = await probe(port);
      const now = seconds();
      if (body !== undefined) {
        gap = Math.max(gap, now - lastOk);
        lastOk = now;
        if (toNew === undefined && body.includes('v2')) toNew = now;
      }
      if (doneAt !== undefined && toNew === undefined && now - doneAt > 5) {
        const r = await cmd;
        throw new Error(`the upgraded nginx never served v2 (upgrade exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(-300)})`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    const r = await cmd;
    if (r.code !== 0) throw new Error(`upgrade failed: ${r.stderr.trim() || r.stdout.trim()}`);
    return { toNew, gap };
  } finally {
    await removeContainers(e, [name]).catch(() => undefined);
  }
}

export const upgradeNginx: Scenario = {
  name: 'upgrade-nginx',
  images: ['nginx'],
  measures: '`berth upgrade` (stop-first) of nginx on a published port: seconds to the new version serving, and the longest gap a probe loop sees',
  async run(ctx: BenchContext): Promise<void> {
    const engines = ctx.engines.cli.filter((e) => e.id === 'berth');
    for (const e of engines) {
      try {
        await ensureImage(e, ctx.images.nginx);
        const dir = mkdtempSync(join(tmpdir(), 'berth-bench-upgrade-'));
        try {
          writeFileSync(join(dir, 'Dockerfile'), `FROM ${ctx.images.nginx}\nRUN echo v2 > /var/www/html/index.html\n`);
          await mustRun([...e.cli, 'build', '-q', '-t', V2_TAG, dir]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        await upgradeOnce(e, ctx.images.nginx);
        const toNew: number[] = [];
        const gaps: number[] = [];
        for (let i = 0; i < (ctx.quick ? 2 : 5); i++) {
          const s = await upgradeOnce(e, ctx.images.nginx);
          toNew.push(s.toNew);
          gaps.push(s.gap);
        }
        ctx.results.add({ scenario: 'upgrade-nginx', case: 'upgrade → new version serving', engine: e.id, unit: 's', samples: toNew });
        ctx.results.add({ scenario: 'upgrade-nginx', case: 'longest probe gap (stop-first)', engine: e.id, unit: 's', samples: gaps, goal: '≤ 1 s' });
      } catch (err) {
        ctx.results.skip('upgrade-nginx', e.id, `failed: ${(err as Error).message}`);
        ctx.log(`  ${e.id}: ${(err as Error).message}`);
      } finally {
        await runCommand([...e.cli, 'rmi', '-f', V2_TAG]);
      }
    }
  },
};
