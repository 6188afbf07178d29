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

async function allPresent(repos: readonly string[]): Promise<boolean> {
  for (const r of repos) if (!(await hasRepository(r))) return false;
  return true;
}

/** Makes sure the local registry serves the images, running test/fixtures/setup.sh when it does not. */
export async function ensureFixtureImages(images: readonly (keyof BenchImages)[], log: (m: string) => void): Promise<void> {
  const repos = images.map((i) => `library/${i}`);
  if (await allPresent(repos)) return;
  if (REGISTRY !== '127.0.0.1:5000') throw new Error(`${REGISTRY} does not serve ${repos.join(' and ')}`);
  log(`local registry lacks ${repos.join(' or ')}: running test/fixtures/setup.sh (builds them once, a minute or two)`);
  await mustRun(['bash', fileURLToPath(new URL('../test/fixtures/setup.sh', import.meta.url))], { timeoutMs: 1_800_000 });
  if (!(await allPresent(repos))) {
    throw new Error(`test/fixtures/setup.sh ran but ${REGISTRY} still lacks one of ${repos.join(', ')}`);
  }
}
