import type { ContainerConfig as RunConfig } from '../containers/container-model.js';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { parseKeyValues, splitWords } from '../../common/shell-words.js';

// The Dockerfile instructions `docker commit --change` and `docker import --change` accept,
// applied to an image's container config.

/** An image's `config`: moby's container.Config as images carry it, every field optional. */
export type ContainerConfig = Partial<RunConfig>;

const ALLOWED = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL', 'HEALTHCHECK']);

/** JSON array form, or shell form run with /bin/sh -c. */
function commandOf(rest: string): string[] {
  const t = rest.trim();
  if (t.startsWith('[')) {
    try {
      const v = JSON.parse(t) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      // not JSON: shell form
    }
  }
  return ['/bin/sh', '-c', t];
}

/** Applies `changes` (one instruction each) to a copy of `config`. */
export function applyChanges(config: ContainerConfig, changes: string[]): ContainerConfig {
  const c: ContainerConfig = structuredClone(config);
  let cmdSet = false;
  for (const raw of changes) {
    for (const line of raw.split('\n')) {
      const text = line.trim();
      if (!text || text.startsWith('#')) continue;
      const m = /^(\S+)\s*(.*)$/s.exec(text)!;
      const instr = m[1]!.toUpperCase();
      const rest = m[2]!;
      if (!ALLOWED.has(instr)) throw new InvalidArgumentError(`${instr.toLowerCase()} is not a valid change command`);
      switch (instr) {
        case 'CMD':
          c.Cmd = commandOf(rest);
          cmdSet = true;
          break;
        case 'ENTRYPOINT':
          c.Entrypoint = commandOf(rest);
          // As in a Dockerfile, a new entrypoint drops an inherited CMD unless one was given.
          if (!cmdSet) c.Cmd = null;
          break;
        case 'ENV': {
          const env: string[] = [...(c.Env ?? [])];
          for (const [k, v] of parseKeyValues('ENV', rest)) {
            const i = env.findIndex((e) => e.split('=')[0] === k);
            if (i >= 0) env[i] = `${k}=${v}`;
            else env.push(`${k}=${v}`);
          }
          c.Env = env;
          break;
        }
        case 'LABEL':
          c.Labels = { ...(c.Labels ?? {}) };
          for (const [k, v] of parseKeyValues('LABEL', rest)) c.Labels[k] = v;
          break;
        case 'EXPOSE':
          c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
          for (const p of splitWords(rest)) {
            if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw new InvalidArgumentError(`invalid containerPort: ${p}`);
            c.ExposedPorts[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
          }
          break;
        case 'USER':
          c.User = rest.trim();
          break;
        case 'WORKDIR':
          c.WorkingDir = posix.resolve(c.WorkingDir || '/', rest.trim());
          break;
        case 'VOLUME': {
          const t = rest.trim();
          let list: string[];
          try {
            list = t.startsWith('[') ? (JSON.parse(t) as string[]) : splitWords(t);
          } catch {
            list = splitWords(t);
          }
          c.Volumes = { ...(c.Volumes ?? {}) };
          for (const v of list) c.Volumes[v] = {};
          break;
        }
        case 'STOPSIGNAL':
          c.StopSignal = rest.trim();
          break;
        case 'ONBUILD':
          c.OnBuild = [...(c.OnBuild ?? []), rest.trim()];
          break;
        case 'HEALTHCHECK': {
          const t = rest.trim();
          if (/^none$/i.test(t)) c.Healthcheck = { Test: ['NONE'] };
          else {
            const cmd = /^CMD\s+(.*)$/is.exec(t);
            if (!cmd) throw new InvalidArgumentError('HEALTHCHECK requires CMD or NONE');
            const args = commandOf(cmd[1]!);
            c.Healthcheck = { Test: cmd[1]!.trim().startsWith('[') ? ['CMD', ...args] : ['CMD-SHELL', cmd[1]!.trim()] };
          }
          break;
        }
      }
    }
  }
  return c;
}
