import { statSync } from 'node:fs';
import type { HostCheckOptions } from '../engine/system/host-checks.js';
import type { DaemonConfig } from './config.js';

/** What the host checks need to know of berthd's configuration. */
export function hostCheckOptions(config: DaemonConfig): HostCheckOptions {
  const name = config['default-runtime'];
  let notBefore: Date | undefined;
  try {
    notBefore = statSync(process.argv[1]!).mtime;
  } catch {
    notBefore = undefined;
  }
  return {
    dataRoot: config['data-root'],
    runtime: { name, path: config.runtimes[name]?.path ?? name },
    socketGroup: config.group,
    registryMirrors: config['registry-mirrors'],
    notBefore,
  };
}
