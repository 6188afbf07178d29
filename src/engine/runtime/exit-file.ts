import { watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExitFileResult {
  exitCode: number;
  finishedAt: Date;
}

async function readExit(path: string): Promise<ExitFileResult | null> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (text.trim() === '') return null; // being written
    return { exitCode: Number.parseInt(text.trim(), 10), finishedAt: st.mtime };
  } catch {
    return null;
  }
}

/**
 * Resolves when conmon writes EXITDIR/NAME (a decimal code, no newline). Watches the directory, so
 * it works for containers started by an earlier berthd. `isAlive` is asked now and then: when the
 * monitor died without writing the file, resolves null instead of waiting forever.
 */
export function waitExitFile(dir: string, name: string, isAlive: () => boolean, signal?: AbortSignal): Promise<ExitFileResult | null> {
  const path = join(dir, name);
  return new Promise((resolve, reject) => {
    let settled = false;
    let checking = false;
    let again = false;
    const finish = (r: ExitFileResult | null): void => {
      if (settled) return;
      settled = true;
      watcher.close();
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      do {
        again = false;
        const r = await readExit(path);
        if (r) return finish(r);
      } while (again);
      checking = false;
    };
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      watcher.close();
      clearInterval(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    };
    const watcher = watch(dir, () => void check());
    watcher.on('error', () => void check());
    // Only for a monitor that died without a word (SIGKILL): the normal path is the watch event.
    const timer = setInterval(() => {
      if (isAlive()) return;
      void readExit(path).then(finish);
    }, 1000);
    timer.unref?.();
    signal?.addEventListener('abort', onAbort);
    void check();
  });
}
