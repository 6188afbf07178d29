// Sizes of containers' writable layers for `ps -s`, inspect `?size=1` and prune's SpaceReclaimed.

/** SizeRw (the writable layer) and SizeRootFs (that plus the image). */
export interface ContainerSize {
  rw: number;
  rootFs: number;
}

/** Measures one container by id; the daemon walks its upper directory. */
export type ContainerSizer = (id: string) => ContainerSize | Promise<ContainerSize>;

/** One container's size, or undefined when it cannot be measured (gone meanwhile, unreadable). */
export async function trySize(sizer: ContainerSizer | undefined, id: string): Promise<ContainerSize | undefined> {
  if (!sizer) return undefined;
  try {
    return await sizer(id);
  } catch {
    return undefined;
  }
}

/** The sizes of many containers at once, in order; one that cannot be measured is undefined. */
export function sizesOf(sizer: ContainerSizer | undefined, ids: readonly string[]): Promise<(ContainerSize | undefined)[]> {
  return Promise.all(ids.map((id) => trySize(sizer, id)));
}

/** What removing these containers frees: their writable layers (the image stays). */
export function reclaimedSpace(sizes: readonly (ContainerSize | undefined)[]): number {
  return sizes.reduce((sum, s) => sum + (s?.rw ?? 0), 0);
}
