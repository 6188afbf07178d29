import { newId } from '../../common/ids.js';
import type { BerthPaths } from '../../common/paths.js';
import type { ContainerRecord } from './container-model.js';
import { execProcess } from './exec-process.js';
import type { HealthProbeRunner } from './health-monitor.js';
import type { ContainerRuntimeDriver } from './ports.js';
import { killTree } from './process-tree.js';

const MAX_OUTPUT = 4096;

/** Runs a health probe as an attached exec and keeps the first 4 KiB of its output, as Docker does. */
export function healthProbeRunner(runtime: ContainerRuntimeDriver, paths: BerthPaths): HealthProbeRunner {
  return async (c: ContainerRecord, argv: string[], timeoutMs: number) => {
    const proc = await execProcess(paths, c, { Cmd: argv });
    const handle = await runtime.exec(c.Id, newId(), proc, { tty: false, stdin: false, attach: true });
    let output = '';
    const keep = (d: Buffer) => {
      if (output.length < MAX_OUTPUT) output = (output + d.toString()).slice(0, MAX_OUTPUT);
    };
    handle.attach?.stdout.on('data', keep);
    handle.attach?.stderr.on('data', keep);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        // The probe and whatever it started (`sh -c 'sleep 100'`): nothing outlives the timeout.
        killTree(handle.pid);
        resolve(-1);
      }, timeoutMs);
    });
    const exitCode = await Promise.race([handle.exit, timedOut]);
    clearTimeout(timer);
    if (exitCode === -1) return { exitCode: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
    await handle.attach?.done.catch(() => undefined);
    return { exitCode, output };
  };
}
