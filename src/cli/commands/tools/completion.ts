import type { Command } from 'commander';
import type { ApiClient } from '../../../client/api-client.js';
import { CliExit, type CliEnv } from '../../cli-env.js';
import { completionWords, type NameKind } from './completion-words.js';

// The shell scripts are thin: each hands the words typed so far to `berth __complete`, which
// answers from the CLI's own definitions and the daemon's names.

const SCRIPTS: Record<string, string> = {
  bash: `# bash completion for berth
_berth() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\\n'
  COMPREPLY=($(berth __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  [ \${#COMPREPLY[@]} -eq 0 ] && [ "\${cur#-}" = "$cur" ] && compopt -o default 2>/dev/null
  return 0
}
complete -F _berth berth
`,
  zsh: `#compdef berth
# zsh completion for berth
_berth() {
  local -a candidates
  candidates=("\${(@f)$(berth __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  if (( \${#candidates} )); then compadd -- "\${candidates[@]}"; else _files; fi
}
if [ "$funcstack[1]" = "_berth" ]; then _berth "$@"; else compdef _berth berth; fi
`,
  fish: `# fish completion for berth
complete -c berth -f -a '(berth __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
`,
};

const LISTS: Record<NameKind, (client: ApiClient) => Promise<string[]>> = {
  container: async (client) => (await client.containers.list({ all: true })).flatMap((c) => (c.Names ?? []).map((n) => n.replace(/^\//, ''))),
  image: async (client) =>
    (await client.images.list())
      .flatMap((i) => i.RepoTags ?? [])
      .filter((t) => t !== '<none>:<none>')
      .flatMap((t) => (t.endsWith(':latest') ? [t, t.slice(0, -7)] : [t])),
  network: async (client) => (await client.networks.list()).map((n) => n.Name),
  volume: async (client) => ((await client.volumes.list())?.Volumes ?? []).map((v) => v.Name),
};

async function daemonNames(client: ApiClient, kind: NameKind): Promise<string[]> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref());
  return Promise.race([LISTS[kind](client), timeout]);
}

export function registerCompletion(program: Command, env: () => CliEnv): void {
  program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText('after', '\nLoad it now with:  source <(berth completion bash)')
    .action((shell: string) => {
      const script = SCRIPTS[shell];
      if (!script) throw new CliExit(1, `unsupported shell "${shell}": use bash, zsh or fish`);
      env().out.write(script);
    });
  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words: string[]) => {
      const e = env();
      const out = await completionWords(program, words.length ? words : [''], (kind) => daemonNames(e.client(), kind));
      e.out.write(out.length ? out.join('\n') + '\n' : '');
    });
}
