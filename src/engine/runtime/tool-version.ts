import { execFile } from 'node:child_process';

/** The first line of `TOOL --version` (crun, runc, conmon, nft, ip …), or '' when it will not say. */
export function toolVersion(path: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: timeoutMs }, (err, stdout) => {
      resolve(err ? '' : (stdout.split('\n').find((l) => l.trim()) ?? '').trim());
    });
  });
}
