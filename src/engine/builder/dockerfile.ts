import { InvalidArgumentError } from '../../common/errors.js';

// Dockerfile syntax as Docker's classic builder reads it: parser directives, comments, line
// continuations with the escape character, instructions with --flags, JSON (exec) or shell form,
// and the variable substitution ($x, ${x}, ${x:-word}, ${x:+word}) of the instructions that take it.

export interface Instruction {
  /** Upper-cased keyword: FROM, RUN, COPY… */
  cmd: string;
  /** `--name=value` flags in front of the arguments (COPY --from, FROM --platform…). */
  flags: Record<string, string>;
  /** The arguments as written, after the flags. */
  args: string;
  /** The JSON array, when the arguments are one (exec form). */
  json?: string[];
  /** The instruction as written, its lines joined (blanks kept, as Docker shows it in `Step N/M :`). */
  original: string;
  line: number;
}

export interface Dockerfile {
  escape: string;
  instructions: Instruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

/** The instructions the classic builder knows, with the --flags each accepts. */
const KNOWN: Record<string, readonly string[]> = {
  FROM: ['platform'],
  // RUN --mount/--network/--security are BuildKit's: the classic builder knows no RUN flags.
  RUN: [],
  CMD: [],
  LABEL: [],
  MAINTAINER: [],
  EXPOSE: [],
  ENV: [],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir'],
  COPY: ['from', 'chown', 'chmod', 'link'],
  ENTRYPOINT: [],
  VOLUME: [],
  USER: [],
  WORKDIR: [],
  ARG: [],
  ONBUILD: [],
  STOPSIGNAL: [],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
  SHELL: [],
};

const FLAGGED = new Set(['FROM', 'RUN', 'ADD', 'COPY', 'HEALTHCHECK']);

/** A Dockerfile error found before anything runs: dockerd answers it as a 400, not in the stream. */
function parseError(line: number, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`dockerfile parse error on line ${line}: ${message}`);
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let escape = '\\';
  const seen = new Set<string>();
  let i = 0;
  // Directives only at the very top, before any instruction, comment or blank line.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') break;
    if (seen.has(key)) throw parseError(i + 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new InvalidArgumentError(`invalid ESCAPE '${m[2]}'. Must be \` or \\`);
      escape = m[2]!;
    }
  }
  // As Docker: the escape character, maybe followed by blanks, at the end of a line continues it.
  const continued = new RegExp(`${escape === '`' ? '`' : '\\\\'}[ \\t]*$`);
  const instructions: Instruction[] = [];
  let buf: string | undefined;
  let start = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    // Comments, also inside a continued instruction; blank lines, also there (Docker skips
    // empty continuation lines with a warning).
    if (trimmed.startsWith('#') || trimmed === '') continue;
    if (buf === undefined) {
      start = i + 1;
      buf = '';
    }
    const m = continued.exec(raw);
    if (m) {
      buf += raw.slice(0, m.index);
      continue;
    }
    buf += raw;
    instructions.push(parseInstruction(buf.trim(), start));
    buf = undefined;
  }
  if (buf?.trim()) instructions.push(parseInstruction(buf.trim(), start));
  return { escape, instructions };
}

function parseInstruction(text: string, line: number): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const cmd = m[1]!.toUpperCase();
  const known = KNOWN[cmd];
  if (!known) throw parseError(line, `unknown instruction: ${m[1]}`);
  let rest = m[2]!;
  const flags: Record<string, string> = {};
  if (FLAGGED.has(cmd)) {
    for (;;) {
      const f = /^--([a-zA-Z-]+)(?:=(\S*))?(?:\s+|$)/.exec(rest);
      if (!f) break;
      const name = f[1]!.toLowerCase();
      if (!known.includes(name)) throw parseError(line, `unknown flag: ${f[1]}`);
      flags[name] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
  }
  const args = rest.trim();
  const out: Instruction = { cmd, flags, args, original: text, line };
  if (args.startsWith('[')) {
    try {
      const v = JSON.parse(args) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.json = v as string[];
    } catch {
      // Not JSON: the shell form, as Docker falls back to it.
    }
  }
  validate(out);
  return out;
}

/** The checks Docker makes while parsing, so that a bad Dockerfile fails before its first step. */
function validate(ins: Instruction): void {
  const { cmd, args, line } = ins;
  const fail = (message: string) => {
    throw parseError(line, message);
  };
  const atLeastOne = ['RUN', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL'];
  if (args === '' && atLeastOne.includes(cmd)) fail(`${cmd} requires at least one argument`);
  switch (cmd) {
    case 'FROM': {
      const n = args.split(/\s+/).filter(Boolean);
      if (!(n.length === 1 || (n.length === 3 && n[1]!.toLowerCase() === 'as'))) fail('FROM requires either one or three arguments');
      break;
    }
    case 'COPY':
    case 'ADD': {
      const n = ins.json ?? args.split(/\s+/).filter(Boolean);
      if (n.length < 2) fail(`${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
      break;
    }
    case 'SHELL':
      if (!ins.json) fail('SHELL requires the arguments to be in JSON form');
      break;
    case 'ONBUILD': {
      const trigger = args.split(/\s+/)[0]!.toUpperCase();
      if (trigger === 'ONBUILD') fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'FROM' || trigger === 'MAINTAINER') fail(`${trigger} isn't allowed as an ONBUILD trigger`);
      parseInstruction(args, line);
      break;
    }
  }
}

/** Expands $x, ${x}, ${x:-word}, ${x-word}, ${x:+word}, ${x+word}, ${x:?msg} and ${x?msg} from `vars`; `\$` stays a literal `$`. */
export function expandVars(text: string, vars: Record<string, string>, escape = '\\'): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === escape && text[i + 1] === '$') {
      out += escape === '\\' ? '\\$' : '$';
      i++;
      continue;
    }
    if (c === "'" && quote !== '"') quote = quote === "'" ? undefined : "'";
    else if (c === '"' && quote !== "'") quote = quote === '"' ? undefined : '"';
    if (c !== '$' || quote === "'") {
      out += c;
      continue;
    }
    if (text[i + 1] === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new InvalidArgumentError(`failed to process "${text}": missing '}'`);
      const body = text.slice(i + 2, end);
      const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(?:(:?)([-+?])([\s\S]*))?$/.exec(body);
      if (!m) throw new InvalidArgumentError(`failed to process "${text}": unsupported modifier in \${${body}}`);
      const [, name, colon, op, word = ''] = m;
      const v = vars[name!];
      // With the colon an empty value counts as unset, as in the shell.
      const set = colon ? !!v : v !== undefined;
      if (op === '-') out += set ? v : expandVars(word, vars, escape);
      else if (op === '+') out += set ? expandVars(word, vars, escape) : '';
      else if (op === '?') {
        if (!set) throw new InvalidArgumentError(`failed to process "${text}": ${name}: ${word ? expandVars(word, vars, escape) : 'is not allowed to be unset'}`);
        out += v;
      } else out += v ?? '';
      i = end;
      continue;
    }
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i + 1));
    if (!m) {
      out += c;
      continue;
    }
    out += vars[m[0]] ?? '';
    i += m[0].length;
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `from`, nested `${…}` included; -1 if none. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
