import { createInterface } from 'node:readline/promises';
import type { CliEnv } from './cli-env.js';

/** docker's prune prompt: prints the question, reads one line, true only for y or yes. */
export async function confirm(e: CliEnv, question: string): Promise<boolean> {
  e.out.write(question);
  if (!process.stdin.readable) return false;
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    const line = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(line.trim());
  } finally {
    rl.close();
  }
}
