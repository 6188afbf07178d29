import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { buildRouter } from '../api/build-router.js';
import { createApiServer } from '../api/server.js';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { formatHostChecks } from '../common/host-check-report.js';
import { runHostChecks } from '../engine/system/host-checks.js';
import { loadConfig } from './config.js';
import { wireConsole, type ConsoleWiring } from './console-wiring.js';
import { hostCheckOptions } from './host-check-options.js';
import { listenAll, tcpServerOptions } from './listeners.js';
import { remoteAccess } from '../api/remote-access.js';
import { checkTcpHosts } from './tcp-hosts.js';
import { claimPidFile } from './pid-file.js';
import { apiBackends } from './api-backends.js';
import { createServices } from './services.js';
import { capOwnLog } from './own-log-cap.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--version') || argv.includes('-v')) {
    const { BERTH_VERSION } = await import('../api/version.js');
    console.log(`berthd version ${BERTH_VERSION}`);
    return;
  }
  // `berthd --check`: the host checks of `berth doctor`, for when no berthd answers.
  const check = argv.indexOf('--check');
  const json = check !== -1 && argv.includes('--json');
  if (check !== -1) argv.splice(0, argv.length, ...argv.filter((a) => a !== '--check' && a !== '--json'));
  let loaded;
  let tcpWarnings: string[];
  let tcp: ReturnType<typeof tcpServerOptions> | undefined;
  try {
    loaded = loadConfig(argv);
    // Before anything starts: an unsafe tcp:// host or missing certificates end berthd at once.
    tcpWarnings = checkTcpHosts(loaded.config);
    if (loaded.config.hosts.some((h) => h.startsWith('tcp://'))) tcp = tcpServerOptions(loaded.config);
  } catch (err) {
    console.error(`berthd: ${errorMessage(err)}`);
    process.exit(1);
  }
  const { config } = loaded;
  if (check !== -1) {
    const checks = await runHostChecks(hostCheckOptions(config));
    process.stdout.write(json ? JSON.stringify(checks) + '\n' : formatHostChecks(checks));
    process.exit(checks.some((c) => c.level === 'fail') ? 1 : 0);
  }
  const logger = createLogger(config['log-level']);
  for (const w of tcpWarnings) logger.warn(w);
  mkdirSync(config['exec-root'], { recursive: true, mode: 0o711 });
  let releasePid: () => void;
  try {
    releasePid = claimPidFile(config.pidfile ?? `${config['exec-root']}/berthd.pid`);
  } catch (err) {
    console.error(`berthd: ${errorMessage(err)}`);
    process.exit(1);
  }

  // A failed request must never take the daemon down; anything that slips through is logged.
  process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));

  capOwnLog(logger);
  const services = await createServices(config, logger);
  let consoleUi: ConsoleWiring;
  try {
    consoleUi = wireConsole(config, logger);
  } catch (err) {
    console.error(`berthd: ${errorMessage(err)}`);
    process.exit(1);
  }
  const router = buildRouter({ ...apiBackends(services), console: consoleUi.backend });
  let servers: Server[];
  try {
    const access = remoteAccess(logger);
    const makeServer = (isTcp: boolean) => (isTcp && tcp ? createApiServer(router, logger, { ...tcp, access }) : createApiServer(router, logger));
    servers = await listenAll(makeServer, config.hosts, config.group, logger);
  } catch (err) {
    console.error(`berthd: ${errorMessage(err)}`);
    releasePid();
    process.exit(1);
  }
  try {
    await consoleUi.start();
  } catch (err) {
    console.error(`berthd: ${errorMessage(err)}`);
    releasePid();
    process.exit(1);
  }
  logger.info({ dataRoot: config['data-root'], execRoot: config['exec-root'] }, 'berthd started');
  // What is wrong with the host is said once at start, not later as a runtime error.
  void runHostChecks(hostCheckOptions(config)).then((checks) => {
    for (const c of checks) if (c.level !== 'ok') logger.warn({ check: c.name, fix: c.fix }, `host check: ${c.detail}`);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down; containers keep running');
    // Streams (attach, wait, events, logs -f) would hold close() open forever: cut them.
    const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const s of servers) s.closeAllConnections();
    void consoleUi.close();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
    for (const close of services.closers.reverse()) {
      try {
        await close();
      } catch (err) {
        logger.warn({ err }, 'error during shutdown');
      }
    }
    releasePid();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
