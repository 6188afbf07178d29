import type { Command, Option } from 'commander';

// What `berth __complete` offers for the words typed so far, from the program's own definitions:
// subcommands, flags, and the names of the daemon's objects where a command takes them.

export type NameKind = 'container' | 'image' | 'network' | 'volume';

const CONTAINER_ARGS = new Set([
  'start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'wait', 'rename', 'rm', 'logs', 'exec', 'attach', 'top',
  'stats', 'port', 'update', 'inspect', 'diff', 'export', 'commit', 'cp', 'upgrade', 'rollback', 'revisions', 'backup',
]);
const IMAGE_ARGS = new Set(['rmi', 'tag', 'history', 'push', 'save', 'run', 'create', 'pull']);

/** The kind of name a command's next positional argument is, if any. */
export function nameKind(path: string[], positionals: number): NameKind | undefined {
  const [group, verb] = path;
  if (!group) return undefined;
  if (group === 'network' && verb) return verb === 'ls' || verb === 'create' || verb === 'prune' ? undefined : positionals === 0 ? 'network' : 'container';
  if (group === 'volume' && verb) return ['rm', 'inspect', 'export'].includes(verb) ? 'volume' : undefined;
  if (group === 'image' && verb) return ['rm', 'inspect', 'tag', 'history', 'push', 'save'].includes(verb) ? 'image' : undefined;
  if (group === 'container' && verb) return nameKind([verb], positionals);
  if ((group === 'run' || group === 'create') && positionals > 0) return undefined;
  if (IMAGE_ARGS.has(group)) return 'image';
  if (CONTAINER_ARGS.has(group)) return 'container';
  return undefined;
}

function visible(cmd: Command): Command[] {
  return cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
}

function findSub(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

function optionFor(cmd: Command, word: string): Option | undefined {
  const flag = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
  return cmd.options.find((o) => o.long === flag || o.short === flag);
}

export interface CompletionState {
  path: string[];
  command: Command;
  positionals: number;
  /** The flag whose value is being typed, when the word before the current one takes one. */
  valueOf?: Option;
}

/** Walks the words before the current one down the command tree. */
export function walk(program: Command, words: string[]): CompletionState {
  let command = program;
  const path: string[] = [];
  let positionals = 0;
  let valueOf: Option | undefined;
  for (const word of words) {
    if (valueOf) {
      valueOf = undefined;
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      const opt = optionFor(command, word) ?? optionFor(program, word);
      if (opt && takesValue(opt) && !word.includes('=')) valueOf = opt;
      continue;
    }
    const sub = positionals === 0 ? findSub(command, word) : undefined;
    if (sub) {
      command = sub;
      path.push(sub.name());
      continue;
    }
    positionals++;
  }
  return { path, command, positionals, valueOf };
}

/** Candidates for the current word, names from `names` where the command takes one. */
export async function completionWords(
  program: Command,
  words: string[],
  names: (kind: NameKind) => Promise<string[]>,
): Promise<string[]> {
  const current = words.length ? words[words.length - 1]! : '';
  const state = walk(program, words.slice(0, -1));
  let out: string[] = [];
  if (state.valueOf) {
    out = [];
  } else if (current.startsWith('-')) {
    const opts = state.command === program ? program.options : [...state.command.options, ...program.options];
    out = opts.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f);
  } else {
    if (state.positionals === 0) out = visible(state.command).map((c) => c.name());
    const kind = nameKind(state.path, state.positionals);
    if (kind) out.push(...(await names(kind).catch(() => [])));
  }
  return [...new Set(out)].filter((w) => w.startsWith(current)).sort();
}
