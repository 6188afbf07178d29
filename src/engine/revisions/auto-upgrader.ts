import type { Logger } from '../../common/logger.js';
import type { RevisionContainers } from './ports.js';
import type { UpgradeRunner } from './upgrade-runner.js';

export const AUTO_UPGRADE_LABEL = 'berth.upgrade';

/**
 * Unattended upgrades: every interval, running containers labelled berth.upgrade=auto are upgraded
 * through the same gate, one at a time. Each outcome is an event (from the runner) and a log line.
 */
export class AutoUpgrader {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly containers: RevisionContainers,
    private readonly runner: UpgradeRunner,
    private readonly logger: Logger,
    private readonly intervalSeconds: number,
  ) {}

  start(): void {
    if (this.intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const due = this.containers.list().filter((c) => c.State.Running && c.Config.Labels?.[AUTO_UPGRADE_LABEL] === 'auto');
      for (const c of due) {
        try {
          const out = await this.runner.upgrade(c.Id, {}, () => undefined);
          // Every change is worth a line; a check that found nothing new only at debug level.
          const level = out.result === 'up-to-date' ? 'debug' : out.result === 'upgraded' ? 'info' : 'warn';
          this.logger[level]({ name: c.Name.slice(1), result: out.result, revision: out.revision, reason: out.reason }, 'auto-upgrade');
        } catch (err) {
          this.logger.warn({ err, name: c.Name.slice(1) }, 'auto-upgrade failed');
        }
      }
    } finally {
      this.running = false;
    }
  }
}
