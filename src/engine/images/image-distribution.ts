import { sha256Digest } from './content-store.js';
import { isIndex, type ImageIndex, type ImageManifest } from './media-types.js';
import { translatePullError } from './puller.js';
import { parseNormalizedNamed, tagNameOnly } from './reference.js';
import type { AuthConfig } from './registry-auth.js';
import type { RegistryClient } from './registry-client.js';

// What a registry says without pulling: GET /distribution/{name}/json and POST /auth.

type PlatformView = Record<string, string>;

function platformView(p: { architecture: string; os: string; variant?: string }): PlatformView {
  return { architecture: p.architecture, os: p.os, ...(p.variant ? { variant: p.variant } : {}) };
}

/** What the registry has for a reference: its descriptor and platforms. */
export async function distributionInspect(registry: RegistryClient, refText: string, auth?: AuthConfig): Promise<Record<string, unknown>> {
  const ref = tagNameOnly(parseNormalizedNamed(refText));
  const repository = registry.repository(ref, auth);
  let m;
  try {
    m = await repository.getManifest(ref.digest ?? ref.tag!);
  } catch (err) {
    throw translatePullError(err, ref);
  }
  const digest = sha256Digest(m.body);
  const doc = JSON.parse(m.body.toString('utf8')) as ImageIndex & ImageManifest;
  let platforms: PlatformView[];
  if (isIndex(m.mediaType)) {
    platforms = doc.manifests.filter((d) => d.platform && d.platform.os !== 'unknown').map((d) => platformView(d.platform!));
  } else {
    const cfg = JSON.parse((await repository.getBlob(doc.config.digest)).toString('utf8')) as { os: string; architecture: string; variant?: string };
    platforms = [platformView(cfg)];
  }
  return { Descriptor: { mediaType: m.mediaType, digest, size: m.body.length }, Platforms: platforms };
}

/** Checks credentials against a registry. */
export async function registryLogin(registry: RegistryClient, auth: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
  let server = (auth.serveraddress ?? '').replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  if (!server || server === 'index.docker.io') server = 'docker.io';
  await registry.login(server, auth);
  return { Status: 'Login Succeeded', IdentityToken: '' };
}
