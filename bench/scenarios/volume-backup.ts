import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from '../command.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { summarize } from '../stats.js';

// A volume of 1 GiB in 10 000 files (100 MiB / 1 000 with --quick), half random and half text:
// `berth backup --no-image --no-rootfs` and `berth restore` of a container holding it, against
// `tar -c | zstd` and `zstd -d | tar -x` of the same directory. Goal: ≥ 0.8× tar's throughput.
// Medians; each berth row notes its MB/s (file bytes per second) and its share of the reference's.

const VOLUME = 'berth-bench-backup';
/** What berth's backups are compressed with (src/engine/backup/zstd-stream.ts), for the reference too. */
const ZSTD_FLAGS = '-3';
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
      await berth('rm', '-f', NAME).catch(() => undefined);
      await berth('volume', 'rm', '-f', VOLUME).catch(() => undefined);
      await berth('volume', 'create', VOLUME);
      const dir = (await berth('volume', 'inspect', '-f', '{{.Mountpoint}}', VOLUME)).stdout.trim();
      fill(dir, files, bytes);
      await berth('create', '--name', NAME, '-v', `${VOLUME}:/data`, ctx.images.busybox, 'true');
      const archive = join(work, 'backup.berth');
      const reference = join(work, 'reference.tar.zst');
      const out = join(work, 'untar');
      // Both sides read a warm cache: the tree was just written (then restored) and tar reads it
      // once before anything is timed.
      await mustRun(['sh', '-c', `tar -cf - -C ${dir} . > /dev/null`]);
      const tarSamples: number[] = [];
      const backupSamples: number[] = [];
      const untarSamples: number[] = [];
      const restoreSamples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        tarSamples.push((await mustRun(['sh', '-c', `tar -cf - -C ${dir} . | zstd -q ${ZSTD_FLAGS} -c > ${reference}`])).seconds);
        backupSamples.push((await berth('backup', NAME, '--no-image', '--no-rootfs', '-o', archive)).seconds);
        mkdirSync(out);
        untarSamples.push((await mustRun(['sh', '-c', `zstd -q -d -c ${reference} | tar -x --xattrs --numeric-owner -C ${out}`])).seconds);
        rmSync(out, { recursive: true, force: true });
        // Restored as new, as tar extracts into an empty directory: removing a replaced volume's
        // old files is not what either side measures. The next round backs up the restored one.
        await berth('rm', '-f', NAME);
        await berth('volume', 'rm', '-f', VOLUME);
        restoreSamples.push((await berth('restore', archive)).seconds);
      }
      const median = (xs: number[]) => summarize(xs).median!;
      const mbps = (xs: number[]) => `${((files * Math.floor(bytes / files)) / 1e6 / median(xs)).toFixed(0)} MB/s`;
      const add = (kase: string, samples: number[], goal?: string, note?: string) =>
        ctx.results.add({ scenario: 'volume-backup', case: kase, engine: e.id, unit: 's', samples, goal, note });
      /** A berth row: its goal against the reference, and its throughput as a share of the reference's. */
      const versus = (kase: string, samples: number[], ref: number[], refName: string) =>
        add(kase, samples, `≤ ${(median(ref) / 0.8).toFixed(2)} s (0.8× ${refName})`, `${mbps(samples)}, ${(median(ref) / median(samples)).toFixed(2)}× ${refName}`);
      add(`tar -c | zstd ${ZSTD_FLAGS} (reference)`, tarSamples, undefined, mbps(tarSamples));
      versus('berth backup', backupSamples, tarSamples, 'tar -c | zstd');
      add('zstd -d | tar -x (reference)', untarSamples, undefined, mbps(untarSamples));
      versus('berth restore', restoreSamples, untarSamples, 'zstd -d | tar -x');
    } finally {
      await berth('rm', '-f', NAME).catch(() => undefined);
      await berth('volume', 'rm', '-f', VOLUME).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    }
  },
};
