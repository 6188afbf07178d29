// The detach sequence (`--detach-keys`, default ctrl-p,ctrl-q) as docker's term.ToBytes reads it,
// and a filter that spots it in the stdin byte stream.

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** `ctrl-p,ctrl-q` → [0x10, 0x11]; `a` → 0x61; `ctrl-@`…`ctrl-_` too. */
export function parseDetachKeys(spec: string): number[] {
  const keys: number[] = [];
  for (const part of spec.split(',')) {
    const key = part.trim();
    if (key.length > 1 && !key.toLowerCase().startsWith('ctrl-')) throw new Error(`Unknown character: '${key}'`);
    if (key.length === 1) {
      keys.push(key.charCodeAt(0));
      continue;
    }
    const c = key.slice(5).toLowerCase();
    if (c.length !== 1) throw new Error(`Unknown character: '${key}'`);
    const code = c.charCodeAt(0);
    if (code >= 0x61 && code <= 0x7a) keys.push(code - 0x60);
    else if ('@[\\]^_'.includes(c)) keys.push('@[\\]^_'.indexOf(c) === 0 ? 0 : 27 + '[\\]^_'.indexOf(c));
    else throw new Error(`Unknown character: '${key}'`);
  }
  return keys;
}

/**
 * Passes bytes through, holding back a partial match of the sequence; `onDetach` fires when it is
 * complete (those bytes are swallowed).
 */
export class DetachKeyFilter {
  private matched = 0;

  constructor(
    private readonly keys: number[],
    private readonly onDetach: () => void,
  ) {}

  filter(chunk: Buffer): Buffer {
    if (!this.keys.length) return chunk;
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          this.matched = 0;
          this.onDetach();
          return Buffer.from(out);
        }
        continue;
      }
      // Not the sequence after all: release what was held back.
      out.push(...this.keys.slice(0, this.matched));
      this.matched = 0;
      if (byte === this.keys[0]) this.matched = 1;
      else out.push(byte);
    }
    return Buffer.from(out);
  }
}
