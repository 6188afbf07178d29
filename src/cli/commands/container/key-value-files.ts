import { readFileSync } from 'node:fs';

// `--env-file` / `--label-file` and `-e NAME` pass-through, as the docker CLI reads them.

export type LookupEnv = (name: string) => string | undefined;

/** Reads a line-delimited KEY=value file; a bare KEY takes its value from `lookup` (dropped when unset). */
export function readKeyValueFile(path: string, lookup?: LookupEnv): string[] {
  const lines: string[] = [];
  const text = readFileSync(path, 'utf8');
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[\s]+/, '').replace(/\r$/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = (eq < 0 ? line : line.slice(0, eq)).replace(/^\s+/, '');
    if (!name) throw new Error(`no variable name on line '${line}'`);
    if (/\s/.test(eq < 0 ? name.trimEnd() : name)) throw new Error(`variable '${name}' contains whitespaces`);
    if (eq >= 0) lines.push(`${name}=${line.slice(eq + 1)}`);
    else {
      const value = lookup?.(name.trim());
      if (value !== undefined) lines.push(`${name.trim()}=${value}`);
    }
  }
  return lines;
}

/** `-e NAME` becomes `NAME=value` when NAME is set in the CLI's environment, else stays `NAME`. */
export function expandEnv(value: string, lookup: LookupEnv): string {
  if (value.includes('=')) return value;
  const v = lookup(value);
  return v === undefined ? value : `${value}=${v}`;
}

/** KEY=value strings → map (a bare KEY maps to ""). */
export function kvMap(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
