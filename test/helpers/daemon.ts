import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawClient } from './raw-client.js';

// The one berthd a test run shares (started by scripts/test.sh), and ways to drive it.

export const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
/** The daemon.json of the run's berthd; BERTH_TEST_CONFIG lets a second run use its own instance. */
export const TEST_CONFIG = process.env.BERTH_TEST_CONFIG ?? join(ROOT, 'test', 'berthd-test.json');
const testConfig = JSON.parse(readFileSync(TEST_CONFIG, 'utf8')) as { hosts: string[]; 'data-root': string; 'exec-root': string };
export const TEST_HOST = process.env.BERTH_TEST_HOST ?? testConfig.hosts[0]!;
export const TEST_SOCKET = new URL(TEST_HOST).pathname;
export const TEST_DATA_ROOT = testConfig['data-root'];
export const TEST_PID_FILE = join(testConfig['exec-root'], 'berthd.pid');

export function api(version?: string): RawClient {
  return new RawClient(TEST_HOST, version);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, feeding `input` to its stdin. */
export function run(cmd: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * The berth CLI as built in dist/, pointed at the test daemon. BERTH_TEST_CLI=snapshot runs it
 * through dist/berth (the launcher that starts it from its V8 startup snapshot) instead.
 */
export function berth(...args: string[]): Promise<RunResult> {
  if (process.env.BERTH_TEST_CLI === 'snapshot') return run(join(ROOT, 'dist', 'berth'), ['-H', TEST_HOST, ...args]);
  return run(process.execPath, [join(ROOT, 'dist', 'berth.mjs'), '-H', TEST_HOST, ...args]);
}

/** The real Docker CLI v28, pointed at the test daemon. */
export function docker(...args: string[]): Promise<RunResult> {
  return run('/usr/local/bin/docker', ['-H', TEST_HOST, ...args], { env: { DOCKER_CONFIG: '/tmp/berth-test-docker-config' } });
}
