import { constants } from 'node:os';
import { InvalidArgumentError } from '../../common/errors.js';

/** Docker accepts SIGTERM, TERM, term or 15. */
export function signalNumber(sig: string | number): number {
  if (typeof sig === 'number') return sig;
  const s = sig.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > 64) throw new InvalidArgumentError(`Invalid signal: ${sig}`);
    return n;
  }
  const name = (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`) as keyof typeof constants.signals;
  const n = constants.signals[name];
  if (n === undefined) throw new InvalidArgumentError(`Invalid signal: ${sig}`);
  return n;
}
