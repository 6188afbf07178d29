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
  /** The instruction as written, on one line: what `Step N/M :` shows. */
  original: string;
  line: number;
}

export interface Dockerfile {
  escape: string;
  instructions: Instruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const FLAGGED = new Set(['FROM', 'COPY', 'ADD', 'RUN', 'HEALTHCHECK']);

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let escape = '\\';
  let i = 0;
  // Directives only at the very top, before any instruction, comment or blank line.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new InvalidArgumentError(`invalid ESCAPE '${m[2]}'. Must be \` or \\`);
      escape = m[2]!;
    } else if (key !== 'syntax' && key !== 'check') break;
  }
  const instructions: Instruction[] = [];
  let buf = '';
  let start = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) continue; // comments, also inside a continued instruction
    if (buf === '' && trimmed === '') continue;
    if (buf === '') start = i + 1;
    const right = raw.replace(/\s+$/, '');
    if (right.endsWith(escape) && !right.endsWith(escape + escape)) {
      buf += right.slice(0, -1);
      continue;
    }
    buf += raw;
    instructions.push(parseInstruction(buf.trim(), start));
    buf = '';
  }
  if (buf.trim()) instructions.push(parseInstruction(buf.trim(), start));
  return { escape, instructions };
}

function parseInstruction(text: string, line: number): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const cmd = m[1]!.toUpperCase();
  let rest = m[2]!;
  const flags: Record<string, string> = {};
  if (FLAGGED.has(cmd)) {
    for (;;) {
      const f = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(rest);
      if (!f) break;
      flags[f[1]!.toLowerCase()] = f[2] ?? 'true';
      rest = rest.slice(f[0].length);
    }
  }
  const args = rest.trim();
  const out: Instruction = { cmd, flags, args, original: `${m[1]} ${m[2]}`.replace(/\s+/g, ' ').trim(), line };
  if (args.startsWith('[')) {
    try {
      const v = JSON.parse(args) as unknown;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out.json = v as string[];
    } catch {
      // Not JSON: the shell form, as Docker falls back to it.
    }
  }
  return out;
}

/** Expands $x, ${x}, ${x:-word} and ${x:+word} from `vars`; `\$` stays a literal `$`. */
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
      const end = text.indexOf('}', i + 2);
      if (end < 0) throw new InvalidArgumentError(`missing '}' in ${text}`);
      const body = text.slice(i + 2, end);
      const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(?::([-+])([\s\S]*))?$/.exec(body);
      if (!m) throw new InvalidArgumentError(`failed to process "${text}": unsupported modifier in \${${body}}`);
      const v = vars[m[1]!];
      if (m[2] === '-') out += v ? v : expandVars(m[3]!, vars, escape);
      else if (m[2] === '+') out += v ? expandVars(m[3]!, vars, escape) : '';
      else out += v ?? '';
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
