import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { forEachTarget } from './command-errors.js';
import { parseRestart } from './create-request.js';
import { parseIntFlag, parseMemoryFlag, parseNanoCpus } from './units.js';

// `berth update`: POST /containers/{id}/update with the resources (and restart policy) given.

type UpdateOptions = Record<string, string | undefined>;

export function updateBody(o: UpdateOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const int = (key: string, field: string, flag: string): void => {
    if (o[key] !== undefined) body[field] = parseIntFlag(o[key], flag);
  };
  int('blkioWeight', 'BlkioWeight', '--blkio-weight');
  int('cpuPeriod', 'CpuPeriod', '--cpu-period');
  int('cpuQuota', 'CpuQuota', '--cpu-quota');
  int('cpuRtPeriod', 'CpuRealtimePeriod', '--cpu-rt-period');
  int('cpuRtRuntime', 'CpuRealtimeRuntime', '--cpu-rt-runtime');
  int('cpuShares', 'CpuShares', '--cpu-shares');
  int('pidsLimit', 'PidsLimit', '--pids-limit');
  if (o.cpus !== undefined) body.NanoCpus = parseNanoCpus(o.cpus);
  if (o.cpusetCpus !== undefined) body.CpusetCpus = o.cpusetCpus;
  if (o.cpusetMems !== undefined) body.CpusetMems = o.cpusetMems;
  if (o.memory !== undefined) body.Memory = parseMemoryFlag(o.memory, '--memory');
  if (o.memoryReservation !== undefined) body.MemoryReservation = parseMemoryFlag(o.memoryReservation, '--memory-reservation');
  if (o.memorySwap !== undefined) body.MemorySwap = parseMemoryFlag(o.memorySwap, '--memory-swap', true);
  if (o.restart !== undefined) body.RestartPolicy = parseRestart(o.restart);
  return body;
}

export function registerUpdateCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('update')
    .description('Update configuration of one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<containers...>')
    .option('--blkio-weight <uint16>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable')
    .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
    .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpu-rt-period <int>', 'Limit the CPU real-time period in microseconds')
    .option('--cpu-rt-runtime <int>', 'Limit the CPU real-time runtime in microseconds')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--restart <string>', 'Restart policy to apply when a container exits')
    .action(async (targets: string[], o: UpdateOptions) => {
      const e = env();
      let body;
      try {
        body = updateBody(o);
      } catch (err) {
        throw new CliExit(125, (err as Error).message);
      }
      if (!Object.keys(body).length) throw new CliExit(1, 'you must provide one or more flags when using this command');
      await forEachTarget(targets, e.out, async (id) => {
        const res = await e.client().containers.update(id, body);
        for (const w of res?.Warnings ?? []) e.err.write(`${w}\n`);
        return id;
      });
    });
}
