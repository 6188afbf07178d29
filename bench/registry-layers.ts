import { MANIFEST_ACCEPT } from '../test/fixtures/registries.js';
import { REGISTRY } from './fixture-registry.js';

interface Manifest {
  layers?: { digest: string }[];
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
}

async function getManifest(repo: string, reference: string): Promise<Manifest> {
  const res = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT }, signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET manifest ${repo}:${reference} answered ${res.status}`);
  return (await res.json()) as Manifest;
}

/** The layer digests ("sha256:…") of repo:tag on the fixture registry, for linux/amd64 if it is an index. */
export async function layerDigests(repo: string, tag = 'latest'): Promise<string[]> {
  let m = await getManifest(repo, tag);
  if (m.manifests) {
    const pick = m.manifests.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64') ?? m.manifests[0];
    if (!pick) throw new Error(`${repo}:${tag} is an empty index`);
    m = await getManifest(repo, pick.digest);
  }
  return (m.layers ?? []).map((l) => l.digest);
}
