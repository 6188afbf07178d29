import { fileURLToPath } from 'node:url';
import { mustRun } from './command.js';
import type { BenchImages } from './scenario.js';

export const REGISTRY = process.env.BERTH_BENCH_REGISTRY ?? '127.0.0.1:5000';

export const BENCH_IMAGES: BenchImages = {
  busybox: `${REGISTRY}/library/busybox`,
  nginx: `${REGISTRY}/library/nginx`,
};

async function hasRepository(name: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${REGISTRY}/v2/${name}/tags/list`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { tags?: string[] };
    return res.ok && (body.tags ?? []).includes('latest');
  } catch {
    return false;
  }
}

/** Makes sure the local registry serves busybox and nginx, running test/fixtures/setup.sh when it does not. */
export async function ensureFixtureImages(log: (m: string) => void): Promise<void> {
  if ((await hasRepository('library/busybox')) && (await hasRepository('library/nginx'))) return;
  if (REGISTRY !== '127.0.0.1:5000') throw new Error(`${REGISTRY} does not serve library/busybox and library/nginx`);
  log('local registry lacks busybox/nginx: running test/fixtures/setup.sh (builds them once, a minute or two)');
  await mustRun(['bash', fileURLToPath(new URL('../test/fixtures/setup.sh', import.meta.url))], { timeoutMs: 1_800_000 });
  if (!(await hasRepository('library/busybox')) || !(await hasRepository('library/nginx'))) {
    throw new Error(`test/fixtures/setup.sh ran but ${REGISTRY} still lacks library/busybox or library/nginx`);
  }
}
