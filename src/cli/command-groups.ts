import type { Command } from 'commander';
import type { CliEnv } from './cli-env.js';

// Each command group is its own chunk of the bundle, loaded only when argv names one of its
// commands: `berth ps` never compiles the image or network code. That keeps start-up short.

/** `word` is the command argv names, when only that one is needed (undefined: the whole tree). */
export type RegisterCommands = (program: Command, env: () => CliEnv, word?: string) => void;

interface CommandGroup {
  names: string[];
  load: () => Promise<RegisterCommands>;
}

const CONTAINER_VERBS = [
  'run', 'create', 'start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'wait', 'rename', 'rm', 'logs', 'exec',
  'attach', 'top', 'stats', 'port', 'update', 'ps', 'inspect', 'container',
];

/** In registration order: the file commands add themselves under `container` too. */
const GROUPS: CommandGroup[] = [
  { names: ['version', 'info'], load: async () => (await import('./commands/system.js')).registerSystemCommands },
  { names: ['system'], load: async () => (await import('./commands/dial-stdio.js')).registerDialStdioCommand },
  { names: ['system'], load: async () => (await import('./commands/system-prune.js')).registerSystemPruneCommand },
  { names: ['system'], load: async () => (await import('./commands/system-df.js')).registerSystemDfCommand },
  { names: ['tls'], load: async () => (await import('./commands/tls.js')).registerTlsCommands },
  { names: ['context'], load: async () => (await import('./commands/context.js')).registerContextCommands },
  { names: CONTAINER_VERBS, load: async () => (await import('./commands/container/index.js')).registerContainerCommands },
  { names: ['network'], load: async () => (await import('./commands/network.js')).registerNetworkCommands },
  { names: ['cp', 'diff', 'export', 'container'], load: async () => (await import('./commands/cp.js')).registerFileCommands },
  { names: ['volume'], load: async () => (await import('./commands/volume.js')).registerVolumeCommands },
  {
    names: ['pull', 'images', 'image', 'rmi', 'tag', 'history', 'login', 'logout'],
    load: async () => (await import('./commands/image.js')).registerImageCommands,
  },
  // After image: it adds `image build` to that group.
  { names: ['build', 'image'], load: async () => (await import('./commands/image-build.js')).registerBuildCommands },
  { names: ['revisions', 'upgrade', 'rollback'], load: async () => (await import('./commands/revisions.js')).registerRevisionCommands },
  // After image and container: it adds `image save/load/import/push` and `container commit` to their groups.
  {
    names: ['commit', 'save', 'load', 'import', 'push', 'image', 'container'],
    load: async () => (await import('./commands/image-transfer.js')).registerImageTransferCommands,
  },
  { names: ['console'], load: async () => (await import('./commands/console.js')).registerConsoleCommands },
  // After volume: it adds `volume export/import` to that group.
  { names: ['backup', 'restore', 'volume'], load: async () => (await import('./commands/backup.js')).registerBackupCommands },
  { names: ['migrate'], load: async () => (await import('./commands/migrate.js')).registerMigrateCommands },
  { names: ['doctor', 'completion'], load: async () => (await import('./commands/tools/index.js')).registerToolCommands },
];

/** Commands that read the whole command tree: every group is loaded for them. */
const WHOLE_TREE = new Set(['__complete']);

/** Global options that take a value, so the word after them is not the command. */
const VALUED = new Set(['-H', '--host', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey', '-c', '--context']);

export function commandWord(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (a.startsWith('-')) {
      if (VALUED.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

export interface CommandGroups {
  registers: RegisterCommands[];
  /** The one command those groups need to define, or undefined for all of their commands. */
  word?: string;
}

export async function commandGroupsFor(argv: string[]): Promise<CommandGroups> {
  const word = commandWord(argv);
  // `berth --version` prints one line: no command needs compiling for it.
  if (word === undefined && argv.some((a) => a === '-v' || a === '--version') && !argv.some((a) => a === '-h' || a === '--help')) return { registers: [] };
  const wanted = word !== undefined && WHOLE_TREE.has(word) ? [] : GROUPS.filter((g) => word !== undefined && g.names.includes(word));
  const registers = await Promise.all((wanted.length ? wanted : GROUPS).map((g) => g.load()));
  return { registers, word: wanted.length ? word : undefined };
}
