import { splitWords } from '../../common/shell-words.js';

// ARG declarations and the environment of a stage as name=value maps.

/** `ARG a b=1 c="x y"`: each name, with its default when it has one. */
export function splitArgs(text: string): [string, string | undefined][] {
  return splitWords(text).map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
  });
}

export function envMap(env: string[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}

/** `env` with each of `extra` whose name it does not set yet. */
export function mergeEnv(env: string[], extra: string[]): string[] {
  const out = [...env];
  for (const e of extra) {
    const k = e.slice(0, e.indexOf('='));
    if (!out.some((x) => x.startsWith(`${k}=`))) out.push(e);
  }
  return out;
}
