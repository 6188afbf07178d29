import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from '../command.js';
import type { BenchContext, Scenario } from '../scenario.js';

// A volume of 1 GiB in 10 000 files (100 MiB / 1 000 with --quick), half random and half text:
// `berth backup --no-image --no-rootfs` and `berth restore` of a container holding it, against
// `tar -c | zstd` and `zstd -d | tar -x` of the same directory. Goal: ≥ 0.8× tar's throughput.

const VOLUME = 'berth-bench-backup';
const NAME = 'berth-bench-backup';

function fill(dir: string, files: number, totalBytes: number): void {
  const per = Math.floor(totalBytes / files);
  const text = Buffer.from('2026-01-01T00:00:00Z INFO request served path=/api/items status=200 bytes=512\n'.repeat(Math.ceil(per / 80))).subarray(0, per);
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}`), i % 2 ? text : randomBytes(per));
  }
}

export const volumeBackup: Scenario = {
  name: 'volume-backup',
  images: ['busybox'],
  measures: 'backup and restore of a container with a 1 GiB / 10k-file volume, against tar -c | zstd and zstd -d | tar -x',
  async run(ctx: BenchContext): Promise<void> {
    const e = ctx.engines.cli.find((x) => x.family === 'berth');
    if (!e) return;
    const iterations = ctx.quick ? 2 : 4;
    const [files, bytes] = ctx.quick ? [1000, 100 << 20] : [10_000, 1 << 30];
    const work = mkdtempSync(join(tmpdir(), 'berth-bench-backup-'));
    const berth = (...args: string[]) => mustRun([...e.cli, ...args], { timeoutMs: 600_000 });
    try {
      await berth('rm', '-f', NAME, `${NAME}-restored`).catch(() => undefined);
      await berth('volume', 'rm', '-f', VOLUME).catch(() => undefined);
      await berth('volume', 'create', VOLUME);
      const dir = (await berth('volume', 'inspect', '-f', '{{.Mountpoint}}', VOLUME)).stdout.trim();
      fill(dir, files, bytes);
      await berth('create', '--name', NAME, '-v', `${VOLUME}:/data`, ctx.images.busybox, 'true');
      const archive = join(work, 'backup.berth');
      const reference = join(work, 'reference.tar.zst');
      const add = (kase: string, samples: number[], goal?: string) =>
        ctx.results.add({ scenario: 'volume-backup', case: kase, engine: e.id, unit: 's', samples, goal });
      const tarSamples: number[] = [];
      const backupSamples: number[] = [];
      const untarSamples: number[] = [];
      const restoreSamples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        tarSamples.push((await mustRun(['sh', '-c', `tar -cf - -C ${dir} . | zstd -q -c > ${reference}`])).seconds);
        backupSamples.push((await berth('backup', NAME, '--no-image', '--no-rootfs', '-o', archive)).seconds);
        const out = join(work, 'untar');
        mkdirSync(out);
        untarSamples.push((await mustRun(['sh', '-c', `zstd -q -d -c ${reference} | tar -x --xattrs --numeric-owner -C ${out}`])).seconds);
        rmSync(out, { recursive: true, force: true });
        restoreSamples.push((await berth('restore', archive, '--name', `${NAME}-restored`, '--replace-volumes')).seconds);
        await berth('rm', '-f', `${NAME}-restored`);
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      add('tar -c | zstd (reference)', tarSamples);
      add('berth backup', backupSamples, `≤ ${(mean(tarSamples) / 0.8).toFixed(2)} s (0.8× tar -c | zstd)`);
      add('zstd -d | tar -x (reference)', untarSamples);
      add('berth restore', restoreSamples, `≤ ${(mean(untarSamples) / 0.8).toFixed(2)} s (0.8× zstd -d | tar -x)`);
    } finally {
      await berth('rm', '-f', NAME, `${NAME}-restored`).catch(() => undefined);
      await berth('volume', 'rm', '-f', VOLUME).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    }
  },
};
