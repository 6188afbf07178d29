// The detach sequence (`--detach-keys`, `detachKeys=`; default ctrl-p,ctrl-q) as moby's
// term.ToBytes reads it, and a filter that spots it in a stdin byte stream. The CLI (which detaches
// its own terminal) and the API (which ends an attach) both use these.

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CONTROL_KEYS = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

/**
 * `ctrl-p,ctrl-q` → [0x10, 0x11]; `a` → 0x61; `ctrl-@`…`ctrl-_` and `DEL` too. Exact as moby reads
 * them: no spaces, lower-case `ctrl-` names.
 */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    if (key === 'DEL') return 127;
    const code = /^ctrl-.$/.test(key) ? CONTROL_KEYS.indexOf(key[5]!) : -1;
    if (code < 0) throw new Error(`Unknown character: '${key}'`);
    return code;
  });
}

/**
 * Passes bytes through, holding back a partial match of the sequence (as Docker's escape proxy
 * does, so a terminal never echoes half of it); `onDetach` fires when it is complete and those bytes
 * are swallowed. What came before the sequence in the same chunk is still returned.
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
