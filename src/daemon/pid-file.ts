import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ConflictError } from '../common/errors.js';

function isBerthd(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /berthd/.test(cmd);
  } catch {
    return false;
  }
}

/**
 * Claims the pid file so only one berthd runs per exec-root. A file left by a dead berthd (or
 * by a pid now reused by something else) is taken over.
 */
export function claimPidFile(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === `${process.pid}`) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const other = Number(readFileSync(file, 'utf8').trim());
      if (other && other !== process.pid && isBerthd(other)) {
        throw new ConflictError(
          `berthd is already running (pid ${other}); pid file ${file} is held. Stop it first, or delete the pid file if it is stale`,
        );
      }
      unlinkSync(file);
    }
  }
  throw new ConflictError(`could not claim pid file ${file}`);
}
