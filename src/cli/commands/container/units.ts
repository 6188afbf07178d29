// Docker's number syntaxes for flags: binary sizes (go-units RAMInBytes), Go durations, decimal CPUs.

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** `512m` → 536870912, as go-units' RAMInBytes (binary multiples, optional `b`/`ib` suffix). */
export function parseRamBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kmgtpb])?i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`invalid size: '${text}'`);
  return Math.trunc(Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()]!);
}

/** A `bytes` flag value ("" means unset). `-1` is allowed for --memory-swap (unlimited). */
export function parseMemoryFlag(text: string | undefined, flag: string, allowUnlimited = false): number {
  if (text === undefined || text === '') return 0;
  if (allowUnlimited && text === '-1') return -1;
  try {
    return parseRamBytes(text);
  } catch (err) {
    throw new Error(`invalid argument "${text}" for "${flag}" flag: ${(err as Error).message}`);
  }
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds: `1m30s`, `250ms`, `0`. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  let rest = s.replace(/^[+-]/, '');
  const sign = s.startsWith('-') ? -1 : 1;
  if (!rest) throw new Error(`time: invalid duration "${text}"`);
  let total = 0;
  while (rest) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(rest && /^[\d.]+$/.test(rest) ? `time: missing unit in duration "${text}"` : `time: invalid duration "${text}"`);
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** A duration flag value: "" (unset) is 0. */
export function parseDurationFlag(text: string | undefined, flag: string): number {
  if (text === undefined || text === '') return 0;
  try {
    return parseGoDuration(text);
  } catch (err) {
    throw new Error(`invalid argument "${text}" for "${flag}" flag: ${(err as Error).message}`);
  }
}

/** `--cpus 1.5` → 1500000000 NanoCPUs, exact for up to 9 decimals. */
export function parseNanoCpus(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const m = /^(\d*)(?:\.(\d{0,9}))?$/.exec(text.trim());
  if (!m || (m[1] === '' && !m[2])) throw new Error(`invalid argument "${text}" for "--cpus" flag: failed to parse ${text} as a rational number`);
  return Number(m[1] || '0') * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
}

/** An integer flag value, with pflag's error text. */
export function parseIntFlag(text: string | undefined, flag: string): number {
  if (text === undefined || text === '') return 0;
  if (!/^[+-]?\d+$/.test(text.trim())) throw new Error(`invalid argument "${text}" for "${flag}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}
