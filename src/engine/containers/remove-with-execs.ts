import type { ContainerRecord } from './container-model.js';

// Removing a container through the API also drops its exec sessions (docker rm, prune).

export interface RemoveWithExecsDeps {
  get(ref: string): ContainerRecord;
  remove(id: string, o: { force?: boolean; volumes?: boolean }): Promise<void>;
  forgetExecs(containerId: string): void;
}

export async function removeWithExecs(d: RemoveWithExecsDeps, ref: string, o: { force?: boolean; volumes?: boolean }): Promise<void> {
  const c = d.get(ref);
  await d.remove(c.Id, o);
  d.forgetExecs(c.Id);
}
