// Go's fmt.Sprint, Sprintln and Sprintf over template values, including fmt's in-band error
// notation (%!d(string=x), %!s(MISSING), %!(EXTRA ...)).
import { formatGoFloat, formatValue, goExponent, goTypeName, kindOf } from './go-value.js';
import { goQuote } from './go-template-lexer.js';

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

export function sprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a)).join(' ') + '\n';
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = true;
      else break;
    }
    const readNumber = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const a = args[argIndex++];
        return typeof a === 'number' ? Math.trunc(a) : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = readNumber();
    if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (format[i] === '.') {
      i++;
      spec.precision = readNumber() ?? 0;
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    i++;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, spec, args[argIndex++]);
  }
  if (argIndex < args.length) {
    out += '%!(EXTRA ' + args.slice(argIndex).map((a) => `${goTypeName(a)}=${formatValue(a)}`).join(', ') + ')';
  }
  return out;
}

function pad(s: string, spec: Spec, numeric = false): string {
  const width = spec.width ?? 0;
  const len = [...s].length;
  if (len >= width) return s;
  if (spec.minus) return s + ' '.repeat(width - len);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(width - len) + s.slice(sign.length);
  }
  return ' '.repeat(width - len) + s;
}

function badVerb(verb: string, value: unknown): string {
  if (value === undefined || value === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(value)}=${formatValue(value)})`;
}

function signed(s: string, n: number, spec: Spec): string {
  if (n < 0 || Object.is(n, -0)) return s;
  if (spec.plus) return '+' + s;
  if (spec.space) return ' ' + s;
  return s;
}

function formatOne(verb: string, spec: Spec, value: unknown): string {
  const kind = kindOf(value);
  if (verb === 'T') return pad(value === undefined || value === null ? '<nil>' : goTypeName(value), spec);
  if (verb === 'v') {
    if (kind === 'float') return pad(signed(formatGoFloat(value as number), value as number, spec), spec, true);
    if (kind === 'int') return pad(signed(formatValue(value), Number(value), spec), spec, true);
    return pad(formatValue(value), spec);
  }
  switch (kind) {
    case 'string':
      return formatString(verb, spec, value as string) ?? badVerb(verb, value);
    case 'bool':
      return verb === 't' ? pad(value ? 'true' : 'false', spec) : badVerb(verb, value);
    case 'int':
      return formatInt(verb, spec, Number(value)) ?? badVerb(verb, value);
    case 'float':
      return formatFloat(verb, spec, value as number) ?? badVerb(verb, value);
    case 'slice':
      if (verb === 's' || verb === 'q' || verb === 'd' || verb === 'x') {
        return pad('[' + (value as unknown[]).map((v) => formatOne(verb, { ...spec, width: undefined }, v)).join(' ') + ']', spec);
      }
      return badVerb(verb, value);
    default:
      return verb === 's' ? pad(formatValue(value), spec) : badVerb(verb, value);
  }
}

function formatString(verb: string, spec: Spec, s: string): string | undefined {
  const cut = spec.precision !== undefined ? [...s].slice(0, spec.precision).join('') : s;
  switch (verb) {
    case 's':
      return pad(cut, spec);
    case 'q':
      return pad(spec.sharp && !cut.includes('`') ? '`' + cut + '`' : goQuote(cut), spec);
    case 'x':
    case 'X': {
      const hex = Buffer.from(cut).toString('hex');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, spec);
    }
  }
  return undefined;
}

function formatInt(verb: string, spec: Spec, n: number): string | undefined {
  const abs = Math.abs(n);
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'd':
      digits = abs.toFixed(0);
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'o':
      digits = abs.toString(8);
      if (spec.sharp) prefix = '0';
      break;
    case 'O':
      digits = abs.toString(8);
      prefix = '0o';
      break;
    case 'x':
    case 'X':
      digits = abs.toString(16);
      if (verb === 'X') digits = digits.toUpperCase();
      if (spec.sharp) prefix = verb === 'X' ? '0X' : '0x';
      break;
    case 'c':
      return pad(String.fromCodePoint(n), spec);
    case 'q':
      return pad("'" + String.fromCodePoint(n) + "'", spec);
    case 'U':
      return pad('U+' + n.toString(16).toUpperCase().padStart(4, '0'), spec);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return formatFloat(verb, spec, n);
    default:
      return undefined;
  }
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  const s = (n < 0 ? '-' : spec.plus ? '+' : spec.space ? ' ' : '') + prefix + digits;
  return pad(s, spec, spec.precision === undefined);
}

function formatFloat(verb: string, spec: Spec, n: number): string | undefined {
  let s: string;
  switch (verb) {
    case 'f':
    case 'F':
      s = n.toFixed(spec.precision ?? 6);
      break;
    case 'e':
    case 'E':
      s = goExponent(n.toExponential(spec.precision ?? 6));
      if (verb === 'E') s = s.toUpperCase();
      break;
    case 'g':
    case 'G':
      s = spec.precision === undefined ? formatGoFloat(n) : goExponent(trimG(n.toPrecision(spec.precision || 1)));
      if (verb === 'G') s = s.toUpperCase();
      break;
    case 'v':
      s = formatGoFloat(n);
      break;
    default:
      return undefined;
  }
  return pad(signed(s, n, spec), spec, true);
}

/** %g drops trailing zeros that toPrecision keeps. */
function trimG(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+(e|$)/, '$1') : s;
}
