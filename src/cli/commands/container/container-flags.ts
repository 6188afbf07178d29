import { Command, Option } from 'commander';

// The flags `run` and `create` share (docker's containerOptions), declared once as a table.

type Kind = 'bool' | 'value' | 'list';

/** [flags as commander spells them, kind, help text]. */
const CONTAINER_FLAGS: [string, Kind, string][] = [
  ['--add-host <host:ip>', 'list', 'Add a custom host-to-IP mapping (host:ip)'],
  ['--annotation <key=value>', 'list', 'Add an annotation to the container (passed through to the OCI runtime)'],
  ['-a, --attach <stream>', 'list', 'Attach to STDIN, STDOUT or STDERR'],
  ['--blkio-weight <weight>', 'value', 'Block IO (relative weight), between 10 and 1000, or 0 to disable'],
  ['--cap-add <cap>', 'list', 'Add Linux capabilities'],
  ['--cap-drop <cap>', 'list', 'Drop Linux capabilities'],
  ['--cgroup-parent <string>', 'value', 'Optional parent cgroup for the container'],
  ['--cgroupns <mode>', 'value', 'Cgroup namespace to use (host|private)'],
  ['--cidfile <file>', 'value', 'Write the container ID to the file'],
  ['--cpu-period <int>', 'value', 'Limit CPU CFS (Completely Fair Scheduler) period'],
  ['--cpu-quota <int>', 'value', 'Limit CPU CFS (Completely Fair Scheduler) quota'],
  ['--cpu-rt-period <int>', 'value', 'Limit CPU real-time period in microseconds'],
  ['--cpu-rt-runtime <int>', 'value', 'Limit CPU real-time runtime in microseconds'],
  ['-c, --cpu-shares <int>', 'value', 'CPU shares (relative weight)'],
  ['--cpus <decimal>', 'value', 'Number of CPUs'],
  ['--cpuset-cpus <string>', 'value', 'CPUs in which to allow execution (0-3, 0,1)'],
  ['--cpuset-mems <string>', 'value', 'MEMs in which to allow execution (0-3, 0,1)'],
  ['--device <device>', 'list', 'Add a host device to the container'],
  ['--device-cgroup-rule <rule>', 'list', 'Add a rule to the cgroup allowed devices list'],
  ['--dns <ip>', 'list', 'Set custom DNS servers'],
  ['--dns-option <option>', 'list', 'Set DNS options'],
  ['--dns-opt <option>', 'list', 'Set DNS options'],
  ['--dns-search <domain>', 'list', 'Set custom DNS search domains'],
  ['--domainname <string>', 'value', 'Container NIS domain name'],
  ['--entrypoint <string>', 'value', 'Overwrite the default ENTRYPOINT of the image'],
  ['-e, --env <var>', 'list', 'Set environment variables'],
  ['--env-file <file>', 'list', 'Read in a file of environment variables'],
  ['--expose <port>', 'list', 'Expose a port or a range of ports'],
  ['--group-add <group>', 'list', 'Add additional groups to join'],
  ['--health-cmd <string>', 'value', 'Command to run to check health'],
  ['--health-interval <duration>', 'value', 'Time between running the check (ms|s|m|h) (default 0s)'],
  ['--health-on-failure <action>', 'value', 'Action when the container turns unhealthy: none, kill, restart or stop (default none)'],
  ['--health-retries <int>', 'value', 'Consecutive failures needed to report unhealthy'],
  ['--health-start-interval <duration>', 'value', 'Time between running the check during the start period (ms|s|m|h) (default 0s)'],
  ['--health-start-period <duration>', 'value', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'],
  ['--health-timeout <duration>', 'value', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'],
  ['-h, --hostname <string>', 'value', 'Container host name'],
  ['--init', 'bool', 'Run an init inside the container that forwards signals and reaps processes'],
  ['-i, --interactive', 'bool', 'Keep STDIN open even if not attached'],
  ['--ip <address>', 'value', 'IPv4 address (e.g., 172.30.100.104)'],
  ['--ip6 <address>', 'value', 'IPv6 address (e.g., 2001:db8::33)'],
  ['--ipc <mode>', 'value', 'IPC mode to use'],
  ['--isolation <string>', 'value', 'Container isolation technology'],
  ['-l, --label <key=value>', 'list', 'Set meta data on a container'],
  ['--label-file <file>', 'list', 'Read in a line delimited file of labels'],
  ['--link <container>', 'list', 'Add link to another container'],
  ['--log-driver <string>', 'value', 'Logging driver for the container'],
  ['--log-opt <option>', 'list', 'Log driver options'],
  ['--mac-address <string>', 'value', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'],
  ['-m, --memory <bytes>', 'value', 'Memory limit'],
  ['--memory-reservation <bytes>', 'value', 'Memory soft limit'],
  ['--memory-swap <bytes>', 'value', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"],
  ['--memory-swappiness <int>', 'value', 'Tune container memory swappiness (0 to 100) (default -1)'],
  ['--mount <mount>', 'list', 'Attach a filesystem mount to the container'],
  ['--name <string>', 'value', 'Assign a name to the container'],
  ['--network <network>', 'list', 'Connect a container to a network'],
  ['--net <network>', 'list', 'Connect a container to a network'],
  ['--network-alias <alias>', 'list', 'Add network-scoped alias for the container'],
  ['--net-alias <alias>', 'list', 'Add network-scoped alias for the container'],
  ['--no-healthcheck', 'bool', 'Disable any container-specified HEALTHCHECK'],
  ['--oom-kill-disable', 'bool', 'Disable OOM Killer'],
  ['--oom-score-adj <int>', 'value', "Tune host's OOM preferences (-1000 to 1000)"],
  ['--pid <string>', 'value', 'PID namespace to use'],
  ['--pids-limit <int>', 'value', 'Tune container pids limit (set -1 for unlimited)'],
  ['--platform <string>', 'value', 'Set platform if server is multi-platform capable'],
  ['--privileged', 'bool', 'Give extended privileges to this container'],
  ['-p, --publish <port>', 'list', "Publish a container's port(s) to the host"],
  ['-P, --publish-all', 'bool', 'Publish all exposed ports to random ports'],
  ['--pull <string>', 'value', 'Pull image before running ("always", "missing", "never") (default "missing")'],
  ['-q, --quiet', 'bool', 'Suppress the pull output'],
  ['--read-only', 'bool', "Mount the container's root filesystem as read only"],
  ['--restart <string>', 'value', 'Restart policy to apply when a container exits (default "no")'],
  ['--rm', 'bool', 'Automatically remove the container and its associated anonymous volumes when it exits'],
  ['--runtime <string>', 'value', 'Runtime to use for this container'],
  ['--security-opt <option>', 'list', 'Security Options'],
  ['--shm-size <bytes>', 'value', 'Size of /dev/shm'],
  ['--stop-signal <string>', 'value', 'Signal to stop the container'],
  ['--stop-timeout <int>', 'value', 'Timeout (in seconds) to stop a container'],
  ['--storage-opt <option>', 'list', 'Storage driver options for the container'],
  ['--sysctl <key=value>', 'list', 'Sysctl options'],
  ['--tmpfs <mount>', 'list', 'Mount a tmpfs directory'],
  ['-t, --tty', 'bool', 'Allocate a pseudo-TTY'],
  ['--ulimit <ulimit>', 'list', 'Ulimit options'],
  ['-u, --user <string>', 'value', 'Username or UID (format: <name|uid>[:<group|gid>])'],
  ['--userns <string>', 'value', 'User namespace to use'],
  ['--uts <string>', 'value', 'UTS namespace to use'],
  ['-v, --volume <volume>', 'list', 'Bind mount a volume'],
  ['--volume-driver <string>', 'value', 'Optional volume driver for the container'],
  ['--volumes-from <container>', 'list', 'Mount volumes from the specified container(s)'],
  ['-w, --workdir <string>', 'value', 'Working directory inside the container'],
];

/** Flags only `run` has. */
const RUN_FLAGS: [string, Kind, string][] = [
  ['-d, --detach', 'bool', 'Run container in background and print container ID'],
  ['--detach-keys <string>', 'value', 'Override the key sequence for detaching a container'],
  ['--sig-proxy', 'bool', 'Proxy received signals to the process (default true)'],
];

/** The parsed flags, keyed by commander's camelCase names. */
export interface ContainerFlags {
  [flag: string]: string | string[] | boolean | undefined;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

const BOOL_NAMES = new Set([...CONTAINER_FLAGS, ...RUN_FLAGS].filter(([, k]) => k === 'bool').map(([f]) => /--([\w-]+)/.exec(f)![1]!));

/**
 * pflag lets booleans take `=true`/`=false`; commander does not, so rewrite them before parsing
 * (only up to the image name: what follows belongs to the container's command).
 */
export function rewriteBoolAssignments(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || !a.startsWith('-')) return [...out, ...argv.slice(i)];
    const m = /^--([\w-]+)=(.*)$/.exec(a);
    if (m && BOOL_NAMES.has(m[1]!)) {
      const on = ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(m[2]!);
      if (on) out.push(`--${m[1]}`);
      else out.push(`--no-${m[1]}`);
      continue;
    }
    out.push(a);
  }
  return out;
}

function addFlags(cmd: Command, flags: [string, Kind, string][]): void {
  for (const [spec, kind, help] of flags) {
    const opt = new Option(spec, help);
    if (kind === 'list') opt.argParser(collect);
    cmd.addOption(opt);
    if (kind === 'bool') {
      const name = /--([\w-]+)/.exec(spec)![1]!;
      if (!name.startsWith('no-')) cmd.addOption(new Option(`--no-${name}`).hideHelp());
    }
  }
}

/** Adds docker's container flags to `run` or `create`, and the pflag-style `--flag=false` support. */
export function addContainerFlags(cmd: Command, forRun: boolean): Command {
  cmd.helpOption('--help', 'Print usage');
  addFlags(cmd, CONTAINER_FLAGS);
  if (forRun) {
    addFlags(cmd, RUN_FLAGS);
    cmd.setOptionValueWithSource('sigProxy', true, 'default');
  }
  cmd.passThroughOptions();
  const parse = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv: string[]) => parse(rewriteBoolAssignments(argv));
  return cmd;
}
