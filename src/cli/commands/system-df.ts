import type { Command } from 'commander';
import type { DiskUsage, ImageSummary } from '../../client/api-client.js';
import type { CliEnv } from '../cli-env.js';
import { alignColumns } from '../output/table.js';
import { humanDuration, humanSize } from '../output/units.js';
import { containerContext } from './container/container-context.js';

// `berth system df`: docker's summary of /system/df (docker/cli formatter/disk_usage.go).


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

/** docker's reference.FamiliarName + tag of an image's first tag. */
function repoTag(image: ImageSummary): [string, string] {
  const ref = image.RepoTags?.find((t) => t !== '<none>:<none>');
  if (!ref) return ['<none>', '<none>'];
  const colon = ref.lastIndexOf(':');
  if (colon < ref.lastIndexOf('/') || colon < 0) return ['<none>', '<none>'];
  return [ref.slice(0, colon).replace(/^docker\.io\/(library\/)?/, ''), ref.slice(colon + 1)];
}

const na = (n: number, f: (n: number) => string) => (n === -1 ? 'N/A' : f(n));

/** `system df -v`: each image, container, volume and cache record, as docker's verbose tables. */
export function renderDiskUsageVerbose(du: DiskUsage, now = Date.now()): string {
  const table = (rows: unknown[][]) => alignColumns(rows.map((r) => r.join('\t')).join('\n') + '\n');
  const ago = (unixSeconds: number) => `${humanDuration(now - unixSeconds * 1000)} ago`;
  let out = 'Images space usage:\n\n';
  out += table([
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'],
    ...(du.Images ?? []).map((i) => [
      ...repoTag(i),
      String(i.Id).replace(/^sha256:/, '').slice(0, 12),
      ago(i.Created),
      humanSize(i.Size),
      // docker/cli: SIZE at 3 significant digits, SHARED and UNIQUE SIZE at units.HumanSize's 4.
      na(i.SharedSize, (n) => humanSize(n, 4)),
      i.SharedSize === -1 ? 'N/A' : humanSize(i.Size - i.SharedSize, 4),
      na(i.Containers, String),
    ]),
  ]);
  out += '\nContainers space usage:\n\n';
  out += table([
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'],
    ...(du.Containers ?? []).map((c) => {
      const ctx = containerContext(c, true, now) as Record<string, () => string>;
      return [ctx.ID!(), ctx.Image!(), ctx.Command!(), ctx.LocalVolumes!(), humanSize(c.SizeRw ?? 0), ctx.RunningFor!(), ctx.Status!(), ctx.Names!()];
    }),
  ]);
  out += '\nLocal Volumes space usage:\n\n';
  out += table([
    ['VOLUME NAME', 'LINKS', 'SIZE'],
    ...(du.Volumes ?? []).map((v) => [
      v.Name,
      v.UsageData ? na(v.UsageData.RefCount, String) : 'N/A',
      v.UsageData ? na(v.UsageData.Size, (n) => humanSize(n, 4)) : 'N/A',
    ]),
  ]);
  const cache = du.BuildCache ?? [];
  out += `\nBuild cache usage: ${humanSize(cache.reduce((s, b) => s + (b.Shared ? 0 : b.Size), 0), 4)}\n\n`;
  out += table([
    ['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'],
    ...cache.map((b) => [String(b.ID).slice(0, 12), b.Type, humanSize(b.Size, 4), ago(Date.parse(b.CreatedAt) / 1000), b.LastUsedAt ? ago(Date.parse(b.LastUsedAt) / 1000) : '', b.UsageCount, b.Shared]),
  ]);
  return out;
}

export function registerSystemDfCommand(program: Command, env: () => CliEnv): void {
  const system = program.commands.find((c) => c.name() === 'system') ?? program.command('system').description('Manage berth');
  system
    .command('df')
    .description('Show docker disk usage')
    .option('-v, --verbose', 'Show detailed information on space usage')
    .action(async (o: { verbose?: boolean }) => {
      const e = env();
      const du = await e.client().system.df();
      e.out.write(o.verbose ? renderDiskUsageVerbose(du) : renderDiskUsage(du));
    });
}
