import type { Command } from 'commander';
import type { Filters } from '../../../client/api-client.js';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { FormatError, quietFormatWarning, renderList } from '../../output/format.js';
import { containerContext, PS_HEADERS } from './container-context.js';

// `berth ps` / `container ls`: GET /containers/json rendered as docker's table or a --format.

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** `--filter k=v` repeated → docker's filters JSON `{"k":{"v":true}}`. */
export function filtersJson(items: string[]): Filters | undefined {
  if (!items.length) return undefined;
  const out: Filters = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) throw new CliExit(125, `invalid argument "${item}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    (out[item.slice(0, eq).trim().toLowerCase()] ??= {})[item.slice(eq + 1)] = true;
  }
  return out;
}

interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  last?: string;
  latest?: boolean;
  size?: boolean;
  filter?: string[];
  format?: string;
  trunc?: boolean;
}

export function registerPsCommand(parent: Command, env: () => CliEnv, name = 'ps', aliases: string[] = []): void {
  parent
    .command(name)
    .aliases(aliases)
    .description('List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', 'Format output using a custom template')
    .option('-n, --last <int>', 'Show n last created containers (includes all states) (default -1)')
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs')
    .option('-s, --size', 'Display total file sizes')
    .action(async (o: PsOptions) => {
      const e = env();
      let limit = o.last === undefined ? -1 : Number(o.last);
      if (o.latest && limit === -1) limit = 1;
      const format = o.format ?? '';
      const size = o.size === true || (!o.quiet && format.includes('.Size'));
      const list = await e.client().containers.list({ all: o.all, limit: limit > 0 ? limit : undefined, size, filters: filtersJson(o.filter ?? []) });
      const warning = quietFormatWarning({ format, quiet: o.quiet });
      if (warning) e.err.write(`${warning}\n`);
      const defaultTableFormat = o.size ? DEFAULT_TABLE.replace('{{.Names}}', '{{.Names}}\t{{.Size}}') : DEFAULT_TABLE;
      const trunc = o.trunc !== false;
      try {
        e.out.write(renderList(list.map((c) => containerContext(c, trunc)), { format, defaultTableFormat, headers: PS_HEADERS, quiet: o.quiet }));
      } catch (err) {
        if (err instanceof FormatError) throw new CliExit(1, err.message);
        throw err;
      }
    });
}
