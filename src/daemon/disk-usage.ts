import { summaryView } from '../engine/containers/container-views.js';
import type { Services } from './services.js';

/** GET /system/df: images with shared sizes, containers, volumes with usage, no build cache. */
export async function diskUsage(s: Services, types: string[]): Promise<Record<string, unknown>> {
  const want = (t: string) => types.length === 0 || types.includes(t);
  const containers = s.containers.list();
  const out: Record<string, unknown> = {};
  if (want('image')) {
    const images = s.images.list({ all: true, containers: (id) => containers.filter((c) => c.Image === id).length });
    out.LayersSize = images.reduce((sum, i) => sum + Number((i as { Size?: number }).Size ?? 0), 0);
    out.Images = images;
  }
  if (want('container')) out.Containers = containers.map((c) => summaryView(c, { rw: 0, rootFs: 0 }));
  if (want('volume')) out.Volumes = s.volumes.usage();
  if (want('build-cache')) out.BuildCache = [];
  return out;
}
