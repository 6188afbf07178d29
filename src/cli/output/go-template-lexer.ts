// Splits a Go text/template source into tokens, following text/template/parse's lexer rules:
// {{- and -}} trim markers, comments, spaces as tokens (they separate arguments), and an error
// token that ends the stream.

export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'dot'
  | 'field'
  | 'variable'
  | 'string'
  | 'rawString'
  | 'charConstant'
  | 'number'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'char'
  | 'eof'
  | 'error';

export interface Token {
  type: TokenType;
  value: string;
  /** Offset into the source. */
  pos: number;
  /** 1-based line of the token's start. */
  line: number;
}

export const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

const LEFT = '{{';
const RIGHT = '}}';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

function isAlphaNumeric(c: string | undefined): boolean {
  if (c === undefined) return false;
  // ASCII first: the Unicode class costs ~7 ms to compile, on every CLI start that prints a table.
  if (c < '\x80') return c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return LETTER_OR_DIGIT.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Go's token.String(), used in "unexpected X in Y" messages. */
export function describeToken(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.value;
  if (t.type === 'keyword' || t.type === 'nil' || t.type === 'dot') return `<${t.value}>`;
  if ([...t.value].length > 10) return goQuote([...t.value].slice(0, 10).join('')) + '...';
  return goQuote(t.value);
}

/** Go's %q of a string (strconv.Quote). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go's %#U of a rune, e.g. U+007D '}'. */
function describeRune(c: string): string {
  const cp = c.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let parenDepth = 0;

  const lineAt = (p: number): number => {
    let n = line;
    for (let i = lastCounted; i < p; i++) if (input[i] === '\n') n++;
    return n;
  };
  let lastCounted = 0;
  const emit = (type: TokenType, start: number, end: number, value = input.slice(start, end)): void => {
    line = lineAt(start);
    lastCounted = start;
    tokens.push({ type, value, pos: start, line });
  };
  const fail = (start: number, message: string): Token[] => {
    emit('error', start, start, message);
    return tokens;
  };
  const atRightTrim = (p: number): boolean => isSpace(input[p]) && input.startsWith('-' + RIGHT, p + 1);
  const atTerminator = (p: number): boolean => {
    const c = input[p];
    if (c === undefined || isSpace(c) || '.,|:)('.includes(c)) return true;
    return input.startsWith(RIGHT, p);
  };

  let trimLeadingSpace = false;
  for (;;) {
    // Text up to the next action.
    let start = pos;
    if (trimLeadingSpace) {
      while (isSpace(input[start])) start++;
      trimLeadingSpace = false;
    }
    const open = input.indexOf(LEFT, start);
    if (open < 0) {
      if (start < input.length) emit('text', start, input.length);
      emit('eof', input.length, input.length, '');
      return tokens;
    }
    const trimLeft = input[open + 2] === '-' && isSpace(input[open + 3]);
    let textEnd = open;
    if (trimLeft) while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > start) emit('text', start, textEnd);
    pos = open + 2 + (trimLeft ? 2 : 0);

    // A comment fills the whole action.
    if (input.startsWith('/*', pos)) {
      const close = input.indexOf('*/', pos + 2);
      if (close < 0) return fail(open, 'unclosed comment');
      pos = close + 2;
      if (atRightTrim(pos)) {
        pos += 2 + RIGHT.length;
        trimLeadingSpace = true;
      } else if (input.startsWith(RIGHT, pos)) {
        pos += RIGHT.length;
      } else {
        return fail(open, 'comment ends before closing delimiter');
      }
      continue;
    }
    emit('leftDelim', open, open + 2);

    // Inside the action.
    for (;;) {
      const c = input[pos];
      const trimRight = atRightTrim(pos);
      if (trimRight || input.startsWith(RIGHT, pos)) {
        if (parenDepth > 0) return fail(pos, 'unclosed left paren');
        const delimStart = trimRight ? pos + 2 : pos;
        emit('rightDelim', delimStart, delimStart + 2);
        pos = delimStart + 2;
        trimLeadingSpace = trimRight;
        break;
      }
      if (c === undefined) return fail(pos, 'unclosed action');
      start = pos;
      if (isSpace(c)) {
        while (isSpace(input[pos]) && !atRightTrim(pos)) pos++;
        if (pos > start) emit('space', start, pos);
        continue;
      }
      if (c === '=') {
        emit('assign', pos, ++pos);
      } else if (c === ':') {
        if (input[pos + 1] !== '=') return fail(pos, 'expected :=');
        pos += 2;
        emit('declare', start, pos);
      } else if (c === '|') {
        emit('pipe', pos, ++pos);
      } else if (c === '"') {
        pos++;
        for (;;) {
          const d = input[pos++];
          if (d === '\\' && input[pos] !== undefined && input[pos] !== '\n') pos++;
          else if (d === undefined || d === '\n') return fail(start, 'unterminated quoted string');
          else if (d === '"') break;
        }
        emit('string', start, pos);
      } else if (c === '`') {
        const close = input.indexOf('`', pos + 1);
        if (close < 0) return fail(start, 'unterminated raw quoted string');
        pos = close + 1;
        emit('rawString', start, pos);
      } else if (c === "'") {
        pos++;
        for (;;) {
          const d = input[pos++];
          if (d === '\\' && input[pos] !== undefined && input[pos] !== '\n') pos++;
          else if (d === undefined || d === '\n') return fail(start, 'unterminated character constant');
          else if (d === "'") break;
        }
        emit('charConstant', start, pos);
      } else if (c === '$' || (c === '.' && !isDigit(input[pos + 1]))) {
        pos++;
        if (atTerminator(pos)) {
          emit(c === '$' ? 'variable' : 'dot', start, pos);
          continue;
        }
        while (isAlphaNumeric(input[pos])) pos++;
        if (!atTerminator(pos)) return fail(pos, `bad character ${describeRune(input[pos]!)}`);
        emit(c === '$' ? 'variable' : 'field', start, pos);
      } else if (isDigit(c) || ((c === '+' || c === '-' || c === '.') && (isDigit(input[pos + 1]) || input[pos + 1] === '.'))) {
        pos = scanNumber(input, pos);
        if (isAlphaNumeric(input[pos]) || input[pos] === '.') {
          pos++;
          while (isAlphaNumeric(input[pos]) || input[pos] === '.') pos++;
          return fail(start, `bad number syntax: "${input.slice(start, pos)}"`);
        }
        emit('number', start, pos);
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(input[pos])) pos++;
        if (!atTerminator(pos)) return fail(pos, `bad character ${describeRune(input[pos]!)}`);
        const word = input.slice(start, pos);
        if (KEYWORDS.has(word)) emit('keyword', start, pos);
        else if (word === 'true' || word === 'false') emit('bool', start, pos);
        else if (word === 'nil') emit('nil', start, pos);
        else emit('identifier', start, pos);
      } else if (c === '(') {
        parenDepth++;
        emit('leftParen', pos, ++pos);
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) return fail(pos, 'unexpected right paren');
        emit('rightParen', pos, ++pos);
      } else if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20) {
        emit('char', pos, ++pos);
      } else {
        const ch = String.fromCodePoint(input.codePointAt(pos)!);
        return fail(pos, `unrecognized character in action: ${describeRune(ch)}`);
      }
    }
  }
}

function scanNumber(input: string, pos: number): number {
  if (input[pos] === '+' || input[pos] === '-') pos++;
  let digits = '0123456789_';
  let exponent = 'eE';
  if (input[pos] === '0' && /[xXoObB]/.test(input[pos + 1] ?? '')) {
    const p = input[pos + 1]!.toLowerCase();
    pos += 2;
    digits = p === 'x' ? '0123456789abcdefABCDEF_' : p === 'o' ? '01234567_' : '01_';
    if (p === 'x') exponent = 'pP';
  }
  while (input[pos] !== undefined && digits.includes(input[pos]!)) pos++;
  if (input[pos] === '.') {
    pos++;
    while (input[pos] !== undefined && digits.includes(input[pos]!)) pos++;
  }
  if (input[pos] !== undefined && exponent.includes(input[pos]!)) {
    pos++;
    if (input[pos] === '+' || input[pos] === '-') pos++;
    while (isDigit(input[pos]) || input[pos] === '_') pos++;
  }
  if (input[pos] === 'i') pos++;
  return pos;
}
