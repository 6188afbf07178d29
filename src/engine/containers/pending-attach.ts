// Attach requests that arrive before a container starts: connected between runtime create and
// start, so the first bytes it prints are not lost.
import type { ContainerRuntimeDriver, RuntimeAttach } from './ports.js';

type Waiter = (a: RuntimeAttach | Error) => void;

export class PendingAttaches {
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(private readonly runtime: ContainerRuntimeDriver) {}

  /** Waits for the container's next start. */
  add(id: string): Promise<RuntimeAttach> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(id) ?? [];
      list.push((a) => (a instanceof Error ? reject(a) : resolve(a)));
      this.waiting.set(id, list);
    });
  }

  /** Forgets the requests of a client that went away. */
  cancel(id: string): void {
    this.waiting.delete(id);
  }

  /** Between runtime create and start: hands each waiting request its stdio. */
  async connect(id: string, stdin: boolean): Promise<void> {
    const waiting = this.waiting.get(id);
    if (!waiting?.length) return;
    this.waiting.delete(id);
    await Promise.all(
      waiting.map(async (done) => {
        try {
          done(await this.runtime.attach(id, { stdin }));
        } catch (err) {
          done(err as Error);
        }
      }),
    );
  }

  /** The start failed: so does every waiting attach. */
  fail(id: string, err: Error): void {
    const waiting = this.waiting.get(id);
    this.waiting.delete(id);
    for (const done of waiting ?? []) done(err);
  }
}
