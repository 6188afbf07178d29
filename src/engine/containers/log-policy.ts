import { InvalidArgumentError } from '../../common/errors.js';

/** How a container's log is kept on disk: berth caps every file-backed log by default. */
export interface LogPolicy {
  /** 'none' keeps nothing; every other driver is a k8s-file log under berth's rotation. */
  driver: string;
  /** Bytes a file may hold before it is rotated. */
  maxSize: number;
  /** Files kept in all, the live one included. */
  maxFile: number;
  /** gzip rotated files. */
  compress: boolean;
}

// Capped by default (unlike Docker's json-file, whose default fills the disk: moby#40207).
const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
const DEFAULT_MAX_FILE = 3;

/** Docker's sizes (go-units RAMInBytes): 10m = 10 MiB, binary multiples, case-insensitive. */
export function parseLogSize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid size: '${s}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * mult);
}

/**
 * The effective policy of a container: its LogConfig, over daemon.json's log-opts when it uses the
 * daemon's driver (as dockerd merges them), over berth's defaults. `local` compresses by default.
 */
export function logPolicy(
  logConfig: { Type?: string; Config?: Record<string, string> | null } | null | undefined,
  daemon: { driver: string; opts: Record<string, string> },
): LogPolicy {
  const driver = logConfig?.Type || daemon.driver;
  const opts = { ...(driver === daemon.driver ? daemon.opts : {}), ...(logConfig?.Config ?? {}) };
  const maxSize = opts['max-size'] && opts['max-size'] !== '-1' ? parseLogSize(opts['max-size']) : DEFAULT_MAX_SIZE;
  const maxFile = opts['max-file'] ? Number(opts['max-file']) : DEFAULT_MAX_FILE;
  if (!Number.isInteger(maxFile) || maxFile < 1) throw new InvalidArgumentError(`max-file cannot be less than 1`);
  if (maxSize <= 0) throw new InvalidArgumentError(`max-size must be a positive number`);
  const compress = opts.compress !== undefined ? opts.compress === 'true' || opts.compress === '1' : driver === 'local';
  return { driver, maxSize, maxFile, compress };
}
