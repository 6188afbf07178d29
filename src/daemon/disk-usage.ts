import { summaryView } from '../engine/containers/container-views.js';
import type { Services } from './services.js';

/** SizeRw (the container's writable layer) and SizeRootFs (that plus its image), as `ps -s` shows them. */
export function containerSize(s: Services, id: string): { rw: number; rootFs: number } {
  const c = s.containers.get(id);
  const rw = s.snapshots.usage(c.Id);
  let image = 0;
  try {
    image = s.images.getImage(c.Image).size;
  } catch {
    // The image may be gone (rmi -f); the writable layer still counts.
  }
  return { rw, rootFs: rw + image };
}

/** GET /system/df: images with shared sizes, containers, volumes with usage, no build cache. */
export async function diskUsage(s: Services, types: string[]): Promise<Record<string, unknown>> {
  const want = (t: string) => types.length === 0 || types.includes(t);
  const containers = s.containers.list();
  const out: Record<string, unknown> = {};
  if (want('image')) {
    const images = s.images.list({ all: true, sharedSize: true, containers: (id) => containers.filter((c) => c.Image === id).length });
    out.LayersSize = s.images.layersSize();
    out.Images = images;
  }
  if (want('container')) out.Containers = containers.map((c) => summaryView(c, containerSize(s, c.Id)));
  if (want('volume')) out.Volumes = s.volumes.usage();
  if (want('build-cache')) out.BuildCache = [];
  return out;
}
