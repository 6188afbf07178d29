import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { normalizeMirror } from '../engine/images/registry-mirrors.js';
import { InvalidArgumentError } from '../common/errors.js';
import { parseBackupSchedules, type BackupScheduleConfig } from '../engine/backup/backup-schedule.js';

/** berthd's configuration, with dockerd's daemon.json key names. */
export interface DaemonConfig {
  hosts: string[];
  'data-root': string;
  'exec-root': string;
  'insecure-registries': string[];
  'registry-mirrors': string[];
  'log-level': string;
  'default-runtime': string;
  runtimes: Record<string, { path: string; runtimeArgs?: string[] }>;
  'log-driver': string;
  'log-opts': Record<string, string>;
  'max-concurrent-downloads': number;
  /** Name of the default bridge device; berth0 so it never collides with docker0. */
  bridge: string;
  /** CIDR of the default bridge (gateway address/prefix), like dockerd's bip. */
  bip: string;
  'default-address-pools': { base: string; size: number }[];
  /** Group that owns the API socket when it exists. */
  group: string;
  pidfile?: string;
  /** The web console's listener; off when absent. */
  console?: { listen: string; tlscert?: string; tlskey?: string };
  /** dockerd's exec-opts; berth reads native.cgroupdriver=systemd|cgroupfs. */
  'exec-opts': string[];
  /** TLS on the tcp:// hosts; implied by tlsverify: true. */
  tls?: boolean;
  /**
   * Require and verify client certificates (mutual TLS). Unlike dockerd (moby#27105), `false` means
   * false: it never turns TLS on by itself.
   */
  tlsverify?: boolean;
  tlscacert: string;
  tlscert: string;
  tlskey: string;
  /** How many revisions each container keeps for rollback (berth's own key). */
  'revision-history': number;
  /** How often containers labelled berth.upgrade=auto are upgraded: seconds or a Go duration ("1h"); 0 = off. */
  'auto-upgrade-interval': number | string;
  /** Scheduled container backups. */
  backups: BackupScheduleConfig[];
}

/** Where `berth tls init` writes the server's files, and where berthd looks for them by default. */
export const DEFAULT_TLS_DIR = '/etc/berth/tls';

export const DEFAULT_CONFIG_FILE = '/etc/berth/daemon.json';

export function defaultConfig(): DaemonConfig {
  return {
    hosts: ['unix:///run/berth/berth.sock'],
    'data-root': '/var/lib/berth',
    'exec-root': '/run/berth',
    'insecure-registries': [],
    'registry-mirrors': [],
    'log-level': 'info',
    'default-runtime': 'crun',
    runtimes: {
      crun: { path: '/usr/bin/crun' },
      runc: { path: '/usr/sbin/runc' },
    },
    // Docker's name: clients such as docker-py read logs only from json-file or journald containers.
    // conmon stores them in its k8s-file format; the logs API serves them with json-file semantics.
    'log-driver': 'json-file',
    'log-opts': {},
    'max-concurrent-downloads': 3,
    bridge: 'berth0',
    bip: '172.17.0.1/16',
    'default-address-pools': [
      { base: '172.17.0.0/16', size: 16 },
      { base: '172.18.0.0/16', size: 16 },
      { base: '172.19.0.0/16', size: 16 },
      { base: '172.20.0.0/14', size: 16 },
      { base: '172.24.0.0/14', size: 16 },
      { base: '172.28.0.0/14', size: 16 },
      { base: '192.168.0.0/16', size: 20 },
    ],
    group: 'berth',
    'exec-opts': [],
    tlscacert: `${DEFAULT_TLS_DIR}/ca.pem`,
    tlscert: `${DEFAULT_TLS_DIR}/cert.pem`,
    tlskey: `${DEFAULT_TLS_DIR}/key.pem`,
    'revision-history': 5,
    'auto-upgrade-interval': 0,
    backups: [],
  };
}

/** TLS as berthd applies it to tcp:// hosts: off, server-only, or mutual (client certificates verified). */
export function tlsMode(c: Pick<DaemonConfig, 'tls' | 'tlsverify'>): 'off' | 'server' | 'mutual' {
  const on = c.tls === true || c.tlsverify === true;
  if (!on) return 'off';
  return c.tlsverify === false ? 'server' : 'mutual';
}

const KNOWN_KEYS = new Set(Object.keys(defaultConfig()).concat(['pidfile', 'debug', 'tls', 'tlsverify', 'console']));

/** Merges daemon.json over the defaults; unknown keys are an error, as in dockerd. */
export function parseConfigFile(text: string, file = DEFAULT_CONFIG_FILE): Partial<DaemonConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`unable to configure the daemon with file ${file}: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidArgumentError(`unable to configure the daemon with file ${file}: not a JSON object`);
  }
  const obj = raw as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length) {
    throw new InvalidArgumentError(
      `unable to configure the daemon with file ${file}: the following directives don't match any configuration option: ${unknown.join(', ')}`,
    );
  }
  if (obj.debug === true) obj['log-level'] = 'debug';
  delete obj.debug;
  return obj as Partial<DaemonConfig>;
}

export interface LoadedConfig {
  config: DaemonConfig;
  configFile: string;
}

/** berthd's command-line flags (each is described in config-docs.ts). */
export const DAEMON_FLAGS = {
  'config-file': { type: 'string' },
  host: { type: 'string', short: 'H', multiple: true },
  'data-root': { type: 'string' },
  'exec-root': { type: 'string' },
  'log-level': { type: 'string', short: 'l' },
  debug: { type: 'boolean', short: 'D' },
  'insecure-registry': { type: 'string', multiple: true },
  'registry-mirror': { type: 'string', multiple: true },
  'default-runtime': { type: 'string' },
  'max-concurrent-downloads': { type: 'string' },
  bridge: { type: 'string', short: 'b' },
  bip: { type: 'string' },
  group: { type: 'string', short: 'G' },
  pidfile: { type: 'string', short: 'p' },
  'exec-opt': { type: 'string', multiple: true },
  tls: { type: 'boolean' },
  tlsverify: { type: 'boolean' },
  tlscacert: { type: 'string' },
  tlscert: { type: 'string' },
  tlskey: { type: 'string' },
} as const;

/** Defaults, then the config file, then command-line flags (flags win, as in dockerd). */
export function loadConfig(argv: string[]): LoadedConfig {
  // dockerd takes `--tls=false` / `--tlsverify=false`, which parseArgs does not for booleans.
  const explicit: { tls?: boolean; tlsverify?: boolean } = {};
  const args = argv.filter((a) => {
    const m = /^--(tls|tlsverify)=(true|false|1|0)$/.exec(a);
    if (!m) return true;
    explicit[m[1] as 'tls' | 'tlsverify'] = m[2] === 'true' || m[2] === '1';
    return false;
  });
  const { values } = parseArgs({
    args,
    options: DAEMON_FLAGS,
    strict: true,
  });
  const configFile = values['config-file'] ?? process.env.BERTH_CONFIG ?? DEFAULT_CONFIG_FILE;
  const config = defaultConfig();
  let text: string | undefined;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || values['config-file']) throw err;
  }
  if (text !== undefined && text.trim() !== '') Object.assign(config, parseConfigFile(text, configFile));
  if (values.host?.length) config.hosts = values.host;
  if (values['data-root']) config['data-root'] = values['data-root'];
  if (values['exec-root']) config['exec-root'] = values['exec-root'];
  if (values['log-level']) config['log-level'] = values['log-level'];
  if (values.debug) config['log-level'] = 'debug';
  if (values['insecure-registry']) config['insecure-registries'] = values['insecure-registry'];
  if (values['registry-mirror']) config['registry-mirrors'] = values['registry-mirror'];
  if (values['default-runtime']) config['default-runtime'] = values['default-runtime'];
  if (values['max-concurrent-downloads']) {
    config['max-concurrent-downloads'] = Number(values['max-concurrent-downloads']);
  }
  if (values.bridge) config.bridge = values.bridge;
  if (values.bip) config.bip = values.bip;
  if (values.group) config.group = values.group;
  if (values.pidfile) config.pidfile = values.pidfile;
  if (values['exec-opt']?.length) config['exec-opts'] = values['exec-opt'];
  if (values.tls) config.tls = true;
  if (values.tlsverify) config.tlsverify = true;
  Object.assign(config, explicit);
  if (values.tlscacert) config.tlscacert = values.tlscacert;
  if (values.tlscert) config.tlscert = values.tlscert;
  if (values.tlskey) config.tlskey = values.tlskey;
  validate(config);
  return { config, configFile };
}

function validate(c: DaemonConfig): void {
  if (!Number.isInteger(c['max-concurrent-downloads']) || c['max-concurrent-downloads'] < 1) {
    throw new InvalidArgumentError(`invalid max-concurrent-downloads: ${c['max-concurrent-downloads']}`);
  }
  if (!c.runtimes[c['default-runtime']]) {
    throw new InvalidArgumentError(`default runtime ${c['default-runtime']} is not among the configured runtimes`);
  }
  if (c.console !== undefined) {
    const k = c.console as unknown;
    if (!k || typeof k !== 'object' || typeof (k as { listen?: unknown }).listen !== 'string') {
      throw new InvalidArgumentError('invalid console: want {"listen": "127.0.0.1:2380"}');
    }
    if (!c.console.tlscert !== !c.console.tlskey) throw new InvalidArgumentError('console: tlscert and tlskey go together');
  }
  if (!Number.isInteger(c['revision-history']) || c['revision-history'] < 1) {
    throw new InvalidArgumentError(`invalid revision-history: ${c['revision-history']} (a whole number of revisions, at least 1)`);
  }
  if (autoUpgradeSeconds(c) === undefined) throw new InvalidArgumentError(`invalid auto-upgrade-interval: ${c['auto-upgrade-interval']}`);
  for (const h of c.hosts) {
    if (!/^(unix|tcp|fd):\/\//.test(h)) throw new InvalidArgumentError(`invalid host: ${h}`);
  }
  if (!Array.isArray(c['registry-mirrors'])) throw new InvalidArgumentError('invalid registry-mirrors: not a list');
  c['registry-mirrors'] = c['registry-mirrors'].map((m) => normalizeMirror(String(m)));
  for (const key of ['tls', 'tlsverify'] as const) {
    if (c[key] !== undefined && typeof c[key] !== 'boolean') throw new InvalidArgumentError(`invalid ${key}: ${String(c[key])} (true or false)`);
  }
  c.backups = parseBackupSchedules(c.backups);
}

/** auto-upgrade-interval in seconds (0 = off), or undefined when it is neither a number nor a Go duration. */
export function autoUpgradeSeconds(c: Pick<DaemonConfig, 'auto-upgrade-interval'>): number | undefined {
  const v = c['auto-upgrade-interval'];
  if (typeof v === 'number') return v >= 0 ? v : undefined;
  if (v === '' || v === '0') return 0;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (!m || !m[0]) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
