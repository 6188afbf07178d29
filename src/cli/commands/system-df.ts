import type { Command } from 'commander';
import type { CliEnv } from '../cli-env.js';
import { alignColumns } from '../output/table.js';
import { humanSize } from '../output/units.js';

// `berth system df`: docker's summary of /system/df (docker/cli formatter/disk_usage.go).

interface DiskUsage {
  LayersSize?: number;
  Images?: { Containers: number; Size: number; SharedSize: number }[];
  Containers?: { State: string; SizeRw?: number }[];
  Volumes?: { UsageData?: { Size: number; RefCount: number } }[];
  BuildCache?: { Size: number; InUse?: boolean; Shared?: boolean }[];
}

/** "1.2MB (40%)" once there is a total, as docker prints RECLAIMABLE. */
function reclaimable(part: number, total: number): string {
  const size = humanSize(part, 4);
  return total > 0 ? `${size} (${Math.trunc((part * 100) / total)}%)` : size;
}

export function renderDiskUsage(du: DiskUsage): string {
  const images = du.Images ?? [];
  const layers = du.LayersSize ?? 0;
  const usedByContainers = images.filter((i) => i.Containers > 0 && i.Size !== -1 && i.SharedSize !== -1).reduce((s, i) => s + i.Size - i.SharedSize, 0);
  const containers = du.Containers ?? [];
  const ctrTotal = containers.reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const ctrIdle = containers.filter((c) => c.State !== 'running').reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const volumes = (du.Volumes ?? []).map((v) => v.UsageData ?? { Size: -1, RefCount: 0 });
  const volTotal = volumes.filter((v) => v.Size > 0).reduce((s, v) => s + v.Size, 0);
  const volIdle = volumes.filter((v) => v.Size > 0 && v.RefCount === 0).reduce((s, v) => s + v.Size, 0);
  const cache = du.BuildCache ?? [];
  const cacheTotal = cache.filter((b) => !b.Shared).reduce((s, b) => s + b.Size, 0);
  const cacheIdle = cache.filter((b) => !b.Shared && !b.InUse).reduce((s, b) => s + b.Size, 0);
  const rows = [
    ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
    ['Images', images.length, images.filter((i) => i.Containers > 0).length, humanSize(layers, 4), reclaimable(layers - usedByContainers, layers)],
    ['Containers', containers.length, containers.filter((c) => c.State === 'running').length, humanSize(ctrTotal, 4), reclaimable(ctrIdle, ctrTotal)],
    ['Local Volumes', volumes.length, volumes.filter((v) => v.RefCount > 0).length, humanSize(volTotal, 4), reclaimable(volIdle, volTotal)],
    ['Build Cache', cache.length, cache.filter((b) => b.InUse).length, humanSize(cacheTotal, 4), humanSize(cacheIdle, 4)],
  ];
  return alignColumns(rows.map((r) => r.join('\t')).join('\n') + '\n');
}

export function registerSystemDfCommand(program: Command, env: () => CliEnv): void {
  const system = program.commands.find((c) => c.name() === 'system') ?? program.command('system').description('Manage berth');
  system
    .command('df')
    .description('Show docker disk usage')
    .action(async () => {
      const e = env();
      e.out.write(renderDiskUsage(await e.client().call('GET', '/system/df')));
    });
}
