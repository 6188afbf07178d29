import type { Command } from 'commander';
import { readJsonLines, type CpuStats, type StatsSample } from '../../../client/api-client.js';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { FormatError, renderList } from '../../output/format.js';
import { goFormatterContext } from '../../output/go-value.js';
import { bytesSize, humanSize } from '../../output/units.js';

// `berth stats`: docker's live resource table. CPU % is computed from the sample and the one
// before it (precpu_stats), memory leaves out the page cache, as docker/cli 28 computes them.

const TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Container: 'CONTAINER',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

export interface StatsRow {
  id: string;
  name: string;
  cpu: number;
  mem: number;
  memLimit: number;
  memPerc: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
  /** False for a container that is not running: docker shows "--". */
  live: boolean;
}

/** One API stats document as docker's CLI reduces it. */
export function statsRow(id: string, name: string, s: StatsSample): StatsRow {
  const cpu: CpuStats = s.cpu_stats ?? {};
  const pre: CpuStats = s.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const sysDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const online = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 1;
  const mem = s.memory_stats ?? {};
  const st = mem.stats ?? {};
  // cgroup v1 reports total_inactive_file, v2 inactive_file: both are page cache, not usage.
  const cache = st.total_inactive_file ?? st.inactive_file ?? 0;
  const usage = Math.max(0, (mem.usage ?? 0) - (cache < (mem.usage ?? 0) ? cache : 0));
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  let read = 0;
  let write = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (/^read$/i.test(e.op)) read += e.value;
    else if (/^write$/i.test(e.op)) write += e.value;
  }
  const limit = mem.limit ?? 0;
  return {
    id,
    name: name.replace(/^\//, ''),
    cpu: sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0,
    mem: usage,
    memLimit: limit,
    memPerc: limit > 0 ? (usage / limit) * 100 : 0,
    netRx: rx,
    netTx: tx,
    blockRead: read,
    blockWrite: write,
    pids: s.pids_stats?.current ?? 0,
    live: !!s.read && !String(s.read).startsWith('0001-'),
  };
}

function rowContext(r: StatsRow, trunc: boolean): object {
  const dash = (v: string) => (r.live ? v : '--');
  return goFormatterContext(
    {
      ID: () => (trunc ? r.id.slice(0, 12) : r.id),
      Container: () => (trunc ? r.id.slice(0, 12) : r.id),
      Name: () => r.name || '--',
      CPUPerc: () => dash(`${r.cpu.toFixed(2)}%`),
      MemUsage: () => dash(`${bytesSize(r.mem)} / ${bytesSize(r.memLimit)}`),
      MemPerc: () => dash(`${r.memPerc.toFixed(2)}%`),
      NetIO: () => dash(`${humanSize(r.netRx)} / ${humanSize(r.netTx)}`),
      BlockIO: () => dash(`${humanSize(r.blockRead)} / ${humanSize(r.blockWrite)}`),
      PIDs: () => dash(String(r.pids)),
    },
    '*formatter.statsContext',
  );
}

interface StatsOptions {
  all?: boolean;
  stream?: boolean;
  trunc?: boolean;
  format?: string;
}

export function registerStatsCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('stats')
    .description('Display a live stream of container(s) resource usage statistics')
    .usage('[OPTIONS] [CONTAINER...]')
    .argument('[containers...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .option('--format <string>', 'Format output using a custom template')
    .action((names: string[], o: StatsOptions) => stats(env(), names, o));
}

async function stats(e: CliEnv, names: string[], o: StatsOptions): Promise<void> {
  const client = e.client();
  const targets: { id: string; name: string }[] = [];
  if (names.length) {
    for (const n of names) {
      try {
        const c = await client.containers.inspect(n);
        targets.push({ id: c.Id, name: c.Name });
      } catch {
        throw new CliExit(1, `Error response from daemon: No such container: ${n}`);
      }
    }
  } else {
    const list = await client.containers.list({ all: o.all });
    for (const c of list) targets.push({ id: c.Id, name: c.Names?.[0] ?? '' });
  }
  const render = (rows: StatsRow[]): string => {
    try {
      return renderList(
        rows.map((r) => rowContext(r, o.trunc !== false)),
        { format: o.format, defaultTableFormat: TABLE, headers: HEADERS },
      );
    } catch (err) {
      if (err instanceof FormatError) throw new CliExit(1, err.message);
      throw err;
    }
  };
  if (o.stream === false) {
    const rows = await Promise.all(
      targets.map(async (t) => statsRow(t.id, t.name, await client.containers.statsOnce(t.id))),
    );
    e.out.write(render(rows));
    return;
  }
  // Streaming: one reader per container; the table is redrawn each second, as docker does.
  const latest = new Map<string, StatsRow>(targets.map((t) => [t.id, statsRow(t.id, t.name, {})]));
  const readers = targets.map(async (t) => {
    const res = await client.containers.statsStream(t.id);
    for await (const s of readJsonLines<StatsSample>(res)) latest.set(t.id, statsRow(t.id, t.name, s));
  });
  const draw = () => e.out.write(`${e.out.isTTY ? '\x1b[2J\x1b[H' : ''}${render([...latest.values()])}`);
  const timer = setInterval(draw, 1000);
  try {
    await Promise.all(readers);
  } finally {
    clearInterval(timer);
    draw();
  }
}
