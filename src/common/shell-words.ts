import { InvalidArgumentError } from './errors.js';

// Dockerfile words, shared by the builder and `commit --change`: quotes group and are removed,
// the escape character escapes the next one.

/** Splits `a=b "c d"=e` into words, honouring double/single quotes and the escape character as Dockerfiles do. */
export function splitWords(text: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === escape && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === escape && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new InvalidArgumentError(`unmatched quote in: ${text}`);
  if (inWord) out.push(cur);
  return out;
}

/** `KEY=VALUE ...` or the legacy `KEY VALUE` form of ENV and LABEL. */
export function parseKeyValues(instr: string, rest: string, escape = '\\'): [string, string][] {
  const ws = splitWords(rest, escape);
  if (ws.length === 0) throw new InvalidArgumentError(`${instr} requires at least one argument`);
  if (!ws[0]!.includes('=')) {
    const m = /^\s*(\S+)\s+(.*)$/s.exec(rest);
    if (!m) throw new InvalidArgumentError(`${instr} must have two arguments`);
    return [[m[1]!, m[2]!.trim()]];
  }
  return ws.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`${instr} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}
