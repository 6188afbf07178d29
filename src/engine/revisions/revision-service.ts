import type { RevisionRow } from '../../store/revision-repository.js';
import { AutoUpgrader } from './auto-upgrader.js';
import type { CreateBody, Progress, RevisionDeps } from './ports.js';
import { RevisionBook } from './revision-book.js';
import { UpgradeRunner, type Outcome, type RollbackOptions, type UpgradeOptions } from './upgrade-runner.js';

/**
 * Revisions of containers: what each ran, `upgrade` and `rollback` through a health gate, unattended
 * upgrades, and the repair of an upgrade a killed berthd left half-done.
 */
export class RevisionService {
  private readonly book: RevisionBook;
  private readonly runner: UpgradeRunner;
  private readonly auto: AutoUpgrader;

  constructor(private readonly d: RevisionDeps) {
    this.book = new RevisionBook(d);
    this.runner = new UpgradeRunner(d, this.book);
    this.auto = new AutoUpgrader(d.containers, this.runner, d.logger, d.options.autoUpgradeInterval);
  }

  /** Revision 1 of a container just created through the API, with the request as the client sent it. */
  recordCreated(containerId: string, body: CreateBody): void {
    try {
      this.book.recordCreated(containerId, body);
    } catch (err) {
      this.d.logger.warn({ err, containerId }, 'recording revision 1');
    }
  }

  containerDestroyed(containerId: string): void {
    this.book.containerDestroyed(containerId);
  }

  list(ref: string): RevisionRow[] {
    return this.book.list(ref);
  }

  upgrade(ref: string, o: UpgradeOptions, progress: Progress): Promise<Outcome> {
    return this.runner.upgrade(ref, o, progress);
  }

  rollback(ref: string, o: RollbackOptions, progress: Progress): Promise<Outcome> {
    return this.runner.rollback(ref, o, progress);
  }

  /** The container and revision that keep an image (prune skips it, rmi without -f refuses). */
  protectorOf(imageId: string): { name: string; revision: number } | undefined {
    return this.book.protectorOf(imageId);
  }

  /** At start-up, after containers recovered: repair interrupted upgrades, then start the timer. */
  async start(): Promise<void> {
    await this.runner.recover();
    this.auto.start();
  }

  stop(): void {
    this.auto.stop();
  }
}
