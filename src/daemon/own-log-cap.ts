import { copyFileSync, fstatSync, ftruncateSync, readFileSync, readlinkSync } from 'node:fs';
import type { Logger } from '../common/logger.js';

const MAX = 10 * 1024 * 1024;
const EVERY_MS = 60_000;
const O_APPEND = 0o2000;

/**
 * Caps berthd's own log when stderr is a file opened for appending (install.sh's
 * /var/log/berthd.log without systemd): past 10 MiB it is copied to FILE.1 and truncated, as
 * packaging/logrotate's copytruncate does, so it stays capped even where no cron runs logrotate.
 * The journal (systemd) and pipes need nothing.
 */
export function capOwnLog(logger: Logger, fd = 2): () => void {
  const check = (): void => {
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size <= MAX) return;
      const flags = Number.parseInt(/flags:\s*(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '0', 8);
      // Truncating a file written without O_APPEND would leave a hole as large as the old file.
      if (!(flags & O_APPEND)) return;
      const file = readlinkSync(`/proc/self/fd/${fd}`);
      copyFileSync(file, `${file}.1`);
      ftruncateSync(fd, 0);
      logger.info({ file, kept: `${file}.1` }, 'berthd log rotated');
    } catch (err) {
      logger.debug({ err }, 'own log cap');
    }
  };
  const timer = setInterval(check, EVERY_MS);
  timer.unref();
  check();
  return () => clearInterval(timer);
}
