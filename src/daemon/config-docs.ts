// What each daemon.json key and berthd flag means, for berthd(8) and daemon.json(5). A test
// checks that every key of defaultConfig() and every flag of loadConfig() is described here.

export const CONFIG_KEY_DOCS: Record<string, string> = {
  hosts: 'Sockets berthd listens on: unix:///path, tcp://ADDR:PORT or fd://.',
  'data-root': 'Where images, containers and volumes are kept.',
  'exec-root': 'Runtime state: the API socket, pid file, monitor sockets and exit files.',
  'insecure-registries': 'Registries reached over plain HTTP or with unverified TLS (127.0.0.0/8 always is).',
  'registry-mirrors': 'Mirrors tried, in order, for Docker Hub images before Docker Hub itself.',
  'log-level': 'debug, info, warn, error or fatal.',
  'default-runtime': 'The OCI runtime of containers that name none.',
  runtimes: 'OCI runtimes by name: {"crun": {"path": "/usr/bin/crun", "runtimeArgs": []}}.',
  'log-driver': 'The default log driver of new containers.',
  'log-opts': 'The default log options of new containers (max-size, max-file …).',
  'max-concurrent-downloads': 'Layers pulled at once per pull.',
  bridge: 'The name of the default bridge device.',
  bip: "The default bridge's gateway address and prefix.",
  'default-address-pools': 'Where user networks get their subnets: [{"base": "172.18.0.0/16", "size": 24}].',
  group: 'The group that owns the API socket (mode 0660).',
  pidfile: 'Where berthd writes its process id (default: EXEC-ROOT/berthd.pid).',
  debug: 'true is the same as "log-level": "debug".',
  backups: 'Scheduled backups: [{"containers": ["web"] or "label": "k=v", "schedule": "0 3 * * *", "dir": "/var/backups/berth", "keep": 7}].',
};

export const FLAG_DOCS: Record<string, string> = {
  'config-file': 'daemon.json to read (default /etc/berth/daemon.json, or $BERTH_CONFIG).',
  host: 'A socket to listen on; repeat for several (daemon.json "hosts").',
  'data-root': 'daemon.json "data-root".',
  'exec-root': 'daemon.json "exec-root".',
  'log-level': 'daemon.json "log-level".',
  debug: 'Log at debug level.',
  'insecure-registry': 'daemon.json "insecure-registries"; repeatable.',
  'registry-mirror': 'daemon.json "registry-mirrors"; repeatable.',
  'default-runtime': 'daemon.json "default-runtime".',
  'max-concurrent-downloads': 'daemon.json "max-concurrent-downloads".',
  bridge: 'daemon.json "bridge".',
  bip: 'daemon.json "bip".',
  group: 'daemon.json "group".',
  pidfile: 'daemon.json "pidfile".',
};
