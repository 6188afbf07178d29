import { InvalidArgumentError } from '../common/errors.js';

// JSON request bodies read the way Go's encoding/json reads them: its nesting bound and its
// wording for what is not JSON, so a client sees what dockerd would have said.

/**
 * Go refuses nesting past 10,000 levels; V8's JSON.stringify (the store writes records with it)
 * overflows its stack well before that, so berth stops at 1,000 with Go's message.
 */
export const MAX_JSON_DEPTH = 1_000;

/** Nesting depth beyond `limit`? A linear scan that skips string contents. */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Go's SyntaxError text for what JSON.parse refused. */
function goSyntaxMessage(text: string, err: Error): string {
  if (/end of (JSON )?input|Unterminated string/i.test(err.message)) return 'unexpected EOF';
  const pos = /position (\d+)/.exec(err.message);
  let at = pos ? Number(pos[1]) : -1;
  if (at < 0) {
    // "Unexpected token 'x', "..." is not valid JSON": find the token's first occurrence.
    const tok = /Unexpected token '(.)'/.exec(err.message);
    at = tok ? text.indexOf(tok[1]!) : -1;
  }
  if (at < 0 || at >= text.length) return 'unexpected EOF';
  const ch = text[at]!;
  const shown = ch === "'" ? "\\\\'" : ch;
  return `invalid character '${shown}' looking for beginning of value`;
}

/**
 * Parses JSON text as Go's decoder would accept it: undefined when empty, else the value; a 400
 * whose message is `prefix` and Go's words when it is not JSON.
 */
export function parseGoJson(raw: string, prefix: string): unknown {
  const text = raw.trim();
  if (text === '') return undefined;
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) throw new InvalidArgumentError(`${prefix}exceeded max depth`);
  try {
    return JSON.parse(text);
  } catch (err) {
    // dockerd decodes one value and then checks that nothing follows it, with these words.
    if (prefix === BODY_PREFIX && /after JSON/.test((err as Error).message)) throw new InvalidArgumentError('unexpected content after JSON');
    throw new InvalidArgumentError(`${prefix}${goSyntaxMessage(text, err as Error)}`);
  }
}

const BODY_PREFIX = 'invalid JSON: ';

/** A request body: dockerd words what is not JSON as "invalid JSON: …". */
export function parseJsonBody(raw: string): unknown {
  return parseGoJson(raw, BODY_PREFIX);
}
