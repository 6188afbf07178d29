import { after, before } from 'node:test';
import { readJsonLines } from './raw-client.js';
import { api } from './daemon.js';

// The setup most integration files open with: busybox from the fixture registry pulled before
// their tests, and every container they list force-removed after.

export const BUSYBOX = '127.0.0.1:5000/library/busybox:latest';

/** Pulls busybox into the test daemon, failing on an error inside the pull's stream. */
export async function pullBusybox(): Promise<void> {
  const res = await api().stream('POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/library/busybox', tag: 'latest' } });
  for await (const m of readJsonLines(res)) if (m.error) throw new Error(m.error);
}

/** Force-removes the containers (and with `volumes`, their anonymous volumes), ignoring those already gone. */
export async function removeContainers(ids: readonly string[], volumes = false): Promise<void> {
  const query: Record<string, string> = volumes ? { force: '1', v: '1' } : { force: '1' };
  for (const id of ids) await api().call('DELETE', `/containers/${id}`, { query }).catch(() => undefined);
}

/** Registers the pull before the file's tests and the clean-up after; returns the list to push created containers to. */
export function busyboxFile(): string[] {
  const created: string[] = [];
  before(pullBusybox);
  after(() => removeContainers(created));
  return created;
}
