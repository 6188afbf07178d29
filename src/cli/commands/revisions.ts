import type { Command } from 'commander';
import type { GateQuery, Revision, UpgradeMessage } from '../../client/api-client.js';
import { CliExit, type CliEnv } from '../cli-env.js';
import { renderList } from '../output/format.js';
import { withFormatErrors } from '../output/inspect-output.js';
import { humanDuration, parseGoDuration } from '../output/units.js';
import { filtersJson } from './container/ps.js';

// `berth revisions`, `berth upgrade`, `berth rollback`: berth's own commands over /berth/v1.

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** The fields `berth revisions --format` offers. */
function revisionContext(r: Revision, now: number) {
  return {
    Revision: String(r.Revision),
    State: r.State,
    Image: r.Image,
    ImageID: String(r.ImageID).replace(/^sha256:/, '').slice(0, 12),
    FullImageID: r.ImageID,
    Digest: r.RepoDigest ? String(r.RepoDigest).slice(String(r.RepoDigest).indexOf('@') + 1) : '<none>',
    Container: String(r.ContainerID).slice(0, 12),
    CreatedAt: r.Created,
    CreatedSince: `${humanDuration(now - Date.parse(r.Created))} ago`,
    Ended: r.Ended,
    Reason: r.Reason,
    Logs: r.Logs,
  };
}

interface GateFlags {
  order?: string;
  healthTimeout?: string;
  wait?: string;
  probe?: string;
  rollback?: boolean;
  dryRun?: boolean;
}

function gateQuery(o: GateFlags): GateQuery {
  for (const [flag, v] of [['--health-timeout', o.healthTimeout], ['--wait', o.wait]] as const) {
    if (v === undefined) continue;
    try {
      parseGoDuration(v);
    } catch (err) {
      throw new CliExit(125, `invalid argument "${v}" for "${flag}" flag: ${(err as Error).message}`);
    }
  }
  if (o.order && o.order !== 'stop-first' && o.order !== 'start-first') {
    throw new CliExit(125, `invalid argument "${o.order}" for "--order" flag: use stop-first or start-first`);
  }
  return { order: o.order, healthTimeout: o.healthTimeout, wait: o.wait, probe: o.probe, noRollback: o.rollback === false ? true : undefined, dryRun: o.dryRun || undefined };
}

function gateOptions(cmd: Command): Command {
  return cmd
    .option('--order <order>', 'stop-first (the host ports are handed over) or start-first (no fixed host port)', 'stop-first')
    .option('--health-timeout <duration>', 'How long a container with a healthcheck has to become healthy', '2m')
    .option('--wait <duration>', 'How long a container without a healthcheck has to keep running', '10s')
    .option('--probe <url>', 'Also check http://:PORT/PATH or tcp://:PORT against the container')
    .option('--no-rollback', 'Leave a container that failed the gate in place for inspection')
    .option('--dry-run', 'Say what would happen, change nothing');
}

/** Prints the stream as it comes; returns the final message. */
async function follow(e: CliEnv, ref: string, verb: 'upgrade' | 'rollback', query: GateQuery, prefix = ''): Promise<UpgradeMessage> {
  const messages = await e.client().berth.gate(ref, verb, query);
  let last: UpgradeMessage = {};
  let lastLine = '';
  for await (const m of messages) {
    if (m.errorDetail || m.error) throw new CliExit(1, `${prefix}${m.errorDetail?.message ?? m.error}`);
    if (m.result) {
      last = m;
      continue;
    }
    // Download bars are a terminal's business; each step and layer status is printed once.
    if (m.progress || !m.status) continue;
    const line = `${prefix}${m.id ? `${m.id}: ` : ''}${m.status}`;
    if (line !== lastLine) e.out.write(`${line}\n`);
    lastLine = line;
  }
  if (!last.result) throw new CliExit(1, `${prefix}the daemon ended the stream without an outcome`);
  return last;
}

/** The outcome line and exit status: 0 upgraded or up to date, 1 rolled back. */
function report(e: CliEnv, m: UpgradeMessage, prefix = ''): number {
  if (m.result === 'rolled-back' && m.reason) {
    e.err.write(`${prefix}rolled back to revision ${m.revision}: ${m.reason}\n`);
    return 1;
  }
  e.out.write(`${prefix}${m.status}\n`);
  return m.result === 'kept-failed' ? 1 : 0;
}

export function registerRevisionCommands(program: Command, env: () => CliEnv): void {
  program
    .command('revisions')
    .description('List the revisions (image versions) of a container')
    .usage('[OPTIONS] CONTAINER')
    .argument('<container>')
    .option('--format <string>', 'Format output using a custom template')
    .option('-q, --quiet', 'Only display revision numbers')
    .option('--no-trunc', "Don't truncate output")
    .action(async (ref: string, o: { format?: string; quiet?: boolean; trunc?: boolean }) => {
      const e = env();
      const list = await e.client().berth.revisions(ref);
      const now = Date.now();
      const rows = list.map((r) => {
        const ctx = revisionContext(r, now);
        if (o.trunc === false) return { ...ctx, ImageID: ctx.FullImageID };
        return { ...ctx, Reason: ctx.Reason.length > 60 ? `${ctx.Reason.slice(0, 59)}…` : ctx.Reason };
      });
      e.out.write(
        withFormatErrors(() =>
          renderList(rows, {
            format: o.format,
            quiet: o.quiet,
            quietFormat: '{{.Revision}}',
            defaultTableFormat: 'table {{.Revision}}\t{{.State}}\t{{.Image}}\t{{.ImageID}}\t{{.CreatedSince}}\t{{.Reason}}',
            headers: {
              Revision: 'REVISION', State: 'STATE', Image: 'IMAGE', ImageID: 'IMAGE ID', FullImageID: 'IMAGE ID', Digest: 'DIGEST',
              Container: 'CONTAINER', CreatedAt: 'CREATED AT', CreatedSince: 'CREATED', Ended: 'ENDED', Reason: 'REASON', Logs: 'LOGS',
            },
          }),
        ),
      );
    });

  gateOptions(
    program
      .command('upgrade')
      .description('Recreate a container from a new image, through a health gate, rolling back if it fails')
      .usage('[OPTIONS] CONTAINER [IMAGE]')
      .argument('[container]')
      .argument('[image]', 'The new image (default: the reference the container was created with, pulled again)'),
  )
    .option('-f, --force', 'Recreate even if the image is up to date')
    .option('-a, --all', 'Upgrade every running container (see --filter)')
    .option('--filter <filter>', 'With --all: only containers that match (e.g. label=berth.upgrade=auto)', collect)
    .action(async (ref: string | undefined, image: string | undefined, o: GateFlags & { force?: boolean; all?: boolean; filter?: string[] }) => {
      const e = env();
      const query = { ...gateQuery(o), force: o.force || undefined };
      if (o.all) {
        if (ref) throw new CliExit(1, '--all takes no container; use --filter to choose');
        const list = await e.client().containers.list({ filters: filtersJson(o.filter ?? []) });
        let failed = 0;
        for (const c of list) {
          const name = String(c.Names?.[0] ?? c.Id).replace(/^\//, '');
          try {
            const m = await follow(e, c.Id, 'upgrade', query, `${name}: `);
            failed += report(e, m, `${name}: `);
          } catch (err) {
            if (!(err instanceof CliExit)) throw err;
            e.err.write(`${err.message}\n`);
            failed++;
          }
        }
        if (failed) throw new CliExit(1);
        return;
      }
      if (!ref) throw new CliExit(1, `berth: 'berth upgrade' requires at least 1 argument\n\nSee 'berth upgrade --help' for more information`);
      const m = await follow(e, ref, 'upgrade', { ...query, image });
      const code = report(e, m);
      if (code) throw new CliExit(code);
    });

  gateOptions(
    program
      .command('rollback')
      .description('Go back to the revision before the current one (or the one named), through the health gate')
      .usage('[OPTIONS] CONTAINER')
      .argument('<container>'),
  )
    .option('--to <revision>', 'The revision to go back to')
    .action(async (ref: string, o: GateFlags & { to?: string }) => {
      const e = env();
      if (o.to !== undefined && !/^\d+$/.test(o.to)) throw new CliExit(125, `invalid argument "${o.to}" for "--to" flag: not a revision number`);
      const m = await follow(e, ref, 'rollback', { ...gateQuery(o), to: o.to });
      // A rollback that went through is a success; one whose target failed the gate says why.
      if (m.result === 'rolled-back' && m.reason) {
        e.err.write(`rolled back to revision ${m.revision}: ${m.reason}\n`);
        throw new CliExit(1);
      }
      e.out.write(`${m.status}\n`);
    });
}
