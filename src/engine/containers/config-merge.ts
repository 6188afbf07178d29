import { InvalidArgumentError } from '../../common/errors.js';
import type { ContainerConfig, HealthConfig } from './container-model.js';

/** The image config's `config` object (OCI / Docker image spec). */
export interface ImageRuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: HealthConfig;
  OnBuild?: string[] | null;
  Shell?: string[];
}

/** Config as the client sends it: Cmd and Entrypoint may still be a plain string (API < 1.7). */
export type UserConfig = Omit<Partial<ContainerConfig>, 'Cmd' | 'Entrypoint'> & { Cmd?: string | string[] | null; Entrypoint?: string | string[] | null };

const empty = (a: unknown[] | null | undefined) => !a || a.length === 0;

/** Docker's string-or-array fields (strslice): API clients before 1.7 sent `"Cmd": "echo hi"`. */
function strSlice(v: unknown): string[] | null | undefined {
  return typeof v === 'string' ? [v] : (v as string[] | null | undefined);
}

/**
 * Fills a container's Config from its image the way dockerd's merge does: the image's Cmd only
 * when the user gave neither Cmd nor Entrypoint, env and labels merged key by key (user wins),
 * exposed ports and volumes unioned.
 */
export function mergeImageConfig(user: UserConfig, image: ImageRuntimeConfig): Partial<ContainerConfig> {
  // Cmd and Entrypoint become arrays below; every other key keeps its place (inspect shows them in order).
  const c = { ...user } as Partial<ContainerConfig>;
  if (!c.User && image.User) c.User = image.User;
  if (image.ExposedPorts) c.ExposedPorts = { ...image.ExposedPorts, ...(c.ExposedPorts ?? {}) };
  const env = new Map<string, string>();
  for (const e of [...(image.Env ?? []), ...((c.Env as string[] | null) ?? [])]) {
    const k = e.includes('=') ? e.slice(0, e.indexOf('=')) : e;
    env.delete(k);
    env.set(k, e);
  }
  c.Env = [...env.values()];
  if ('Cmd' in c) c.Cmd = strSlice(c.Cmd);
  if ('Entrypoint' in c) c.Entrypoint = strSlice(c.Entrypoint);
  // As moby's merge: an empty Entrypoint takes the image's Cmd; only a missing (null) one takes
  // the image's Entrypoint, so `[]` means "no entrypoint".
  if (empty(c.Entrypoint)) {
    if (empty(c.Cmd)) c.Cmd = image.Cmd ?? null;
    if (c.Entrypoint === undefined || c.Entrypoint === null) c.Entrypoint = image.Entrypoint ?? null;
  }
  // `--entrypoint ''` sends [""]: no entrypoint, and Cmd runs as given (moby's mergeAndVerifyConfig).
  if (Array.isArray(c.Entrypoint) && c.Entrypoint.length === 1 && c.Entrypoint[0] === '') c.Entrypoint = null;
  if (!c.WorkingDir && image.WorkingDir) c.WorkingDir = image.WorkingDir;
  if (image.Volumes) c.Volumes = { ...image.Volumes, ...(c.Volumes ?? {}) };
  c.Labels = { ...(image.Labels ?? {}), ...(c.Labels ?? {}) };
  if (!c.StopSignal && image.StopSignal) c.StopSignal = image.StopSignal;
  if (!c.Healthcheck && image.Healthcheck) c.Healthcheck = image.Healthcheck;
  if (!c.OnBuild && image.OnBuild) c.OnBuild = image.OnBuild;
  if (!c.Shell && image.Shell) c.Shell = image.Shell;
  if (empty(c.Entrypoint) && empty(c.Cmd)) throw new InvalidArgumentError('no command specified');
  return c;
}

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Docker's container name rule; returns the name with its leading slash. */
export function validateContainerName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name : `/${name}`;
}
