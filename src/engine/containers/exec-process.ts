import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BerthPaths } from '../../common/paths.js';
import type { OciProcess, OciSpec } from '../runtime/oci-spec.js';
import type { ContainerRecord } from './container-model.js';
import type { ExecConfig } from './exec-service.js';
import { ALL_CAPABILITIES } from './spec/capabilities.js';
import { resolveUser } from './spec/user.js';

/**
 * The process of an exec session: the container's own process (env, caps, rlimits, user) with the
 * exec's command, extra env, user, working dir and TTY — as dockerd derives it.
 */
export async function execProcess(paths: BerthPaths, c: ContainerRecord, cfg: ExecConfig): Promise<OciProcess> {
  const spec = JSON.parse(await readFile(join(paths.containerBundleDir(c.Id), 'config.json'), 'utf8')) as OciSpec;
  const base = spec.process!;
  const env = new Map<string, string>();
  for (const e of [...(base.env ?? []), ...(cfg.Env ?? [])]) {
    const i = e.indexOf('=');
    env.set(i < 0 ? e : e.slice(0, i), e);
  }
  const proc: OciProcess = {
    ...base,
    args: cfg.Cmd,
    env: [...env.values()],
    cwd: cfg.WorkingDir || base.cwd,
    terminal: !!cfg.Tty,
  };
  delete proc.consoleSize;
  if (cfg.User) {
    const u = resolveUser(spec.root!.path, cfg.User);
    proc.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
  }
  if (cfg.Privileged) {
    const all = [...ALL_CAPABILITIES];
    proc.capabilities = { bounding: all, effective: all, permitted: all };
  }
  return proc;
}
