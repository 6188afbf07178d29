import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, secondsSince } from './command.js';
import { REGISTRY } from './fixture-registry.js';

// The floor under a pull: each layer blob fetched with curl and piped into `tar -xz`, all layers at
// once, into a fresh directory on the data disk. No engine does less for the same layers (berth
// also checks each digest and records the layers).

export async function curlTarSeconds(repo: string, digests: readonly string[], parent = '/var/lib'): Promise<number> {
  const dir = mkdtempSync(join(parent, 'bench-pull-floor-'));
  try {
    const start = process.hrtime.bigint();
    await Promise.all(
      digests.map(async (d, i) => {
        const out = join(dir, String(i));
        await mustRun(['mkdir', out]);
        await mustRun(['sh', '-c', `curl -sf "http://${REGISTRY}/v2/${repo}/blobs/${d}" | tar -xz -C "${out}"`]);
      }),
    );
    return secondsSince(start);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
