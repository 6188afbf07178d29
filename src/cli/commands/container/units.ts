import { parseGoDuration, ramInBytes } from '../../output/units.js';

// Flag values in docker's syntaxes, with pflag's error wording: sizes, durations (in the API's
// nanoseconds), decimal CPUs, integers.

/** A `bytes` flag value ("" means unset). `-1` is allowed for --memory-swap (unlimited). */
export function parseMemoryFlag(text: string | undefined, flag: string, allowUnlimited = false): number {
  if (text === undefined || text === '') return 0;
  if (allowUnlimited && text === '-1') return -1;
  try {
    return ramInBytes(text);
  } catch (err) {
    throw new Error(`invalid argument "${text}" for "${flag}" flag: ${(err as Error).message}`);
  }
}

/** A duration flag value: "" (unset) is 0. */
export function parseDurationFlag(text: string | undefined, flag: string): number {
  if (text === undefined || text === '') return 0;
  try {
    return Math.round(parseGoDuration(text) * 1e6);
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
