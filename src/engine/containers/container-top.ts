import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InvalidArgumentError } from '../../common/errors.js';
import { containerCgroupPids } from '../runtime/container-cgroups.js';

const run = promisify(execFile);

/** Pids in a container's cgroup (and its sub-cgroups), whatever the layout. */
export function containerPids(id: string): number[] {
  return containerCgroupPids(id);
}

/**
 * `docker top`: runs the host's ps with the caller's arguments and keeps the rows whose PID belongs
 * to the container, as dockerd does.
 */
export async function containerTop(id: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
  const pids = new Set(containerPids(id));
  let stdout: string;
  try {
    ({ stdout } = await run('ps', psArgs.split(/\s+/).filter(Boolean), { maxBuffer: 16 * 1024 * 1024 }));
  } catch (err) {
    throw new InvalidArgumentError(`ps: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift() ?? '';
  const titles = header.trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw new InvalidArgumentError(`Couldn't find PID field in ps output`);
  const processes: string[][] = [];
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(Number(fields[pidCol]))) continue;
    // The last column (the command) may contain spaces: keep it whole.
    const head = fields.slice(0, titles.length - 1);
    head.push(fields.slice(titles.length - 1).join(' '));
    processes.push(head);
  }
  return { Titles: titles, Processes: processes };
}
