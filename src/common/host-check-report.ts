// A host check as berthd reports it and `berth doctor` prints it.

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface HostCheck {
  name: string;
  level: CheckLevel;
  detail: string;
  /** The command (or edit) that mends it; only when level is not ok. */
  fix?: string;
}

const MARK: Record<CheckLevel, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]' };

/** The report as `berth doctor` and `berthd --check` print it. */
export function formatHostChecks(checks: HostCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => {
    const head = `${MARK[c.level]} ${c.name.padEnd(width)}  ${c.detail}`;
    return c.fix ? `${head}\n${' '.repeat(width + 9)}fix: ${c.fix}` : head;
  });
  const failed = checks.filter((c) => c.level === 'fail').length;
  const warned = checks.filter((c) => c.level === 'warn').length;
  lines.push('', failed || warned ? `${failed} failed, ${warned} warning${warned === 1 ? '' : 's'}` : 'everything berth needs is in place');
  return lines.join('\n') + '\n';
}
