import { objectAt, objectsIn, type JsonObject as Json } from '../../common/json-object.js';
import type { Gate } from './gate-table.js';

// Gates of moby v28.5.2 api/server/router/system/system_routes.go.

/** GET /info */
export const INFO_GATES: readonly Gate<Json>[] = [
  {
    below: '1.25',
    what: 'SecurityOptions are names only ("seccomp", not "name=seccomp,profile=builtin")',
    apply(info) {
      if (!Array.isArray(info.SecurityOptions)) return;
      info.SecurityOptions = info.SecurityOptions.map((o: unknown) => {
        const name = typeof o === 'string' ? o.split(',').find((kv) => kv.startsWith('name=')) : undefined;
        return name ? name.slice(5) : o;
      });
    },
  },
  {
    below: '1.39',
    what: 'an empty KernelVersion or OperatingSystem reads "<unknown>"',
    apply(info) {
      if (!info.KernelVersion) info.KernelVersion = '<unknown>';
      if (!info.OperatingSystem) info.OperatingSystem = '<unknown>';
    },
  },
  {
    below: '1.44',
    what: 'Runtimes have no status',
    apply(info) {
      for (const rt of Object.values(objectAt(info.Runtimes) ?? {})) delete objectAt(rt)?.status;
    },
  },
  { below: '1.46', what: 'no Containerd', apply: (info) => void delete info.Containerd },
  {
    below: '1.47',
    what: 'RegistryConfig has AllowNondistributableArtifactsCIDRs and ...Hostnames (null)',
    apply(info) {
      if (!info.RegistryConfig) return;
      info.RegistryConfig = { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, ...objectAt(info.RegistryConfig) };
    },
  },
  {
    below: '1.49',
    what: 'no FirewallBackend; ContainerdCommit, RuncCommit and InitCommit have Expected (= ID)',
    apply(info) {
      delete info.FirewallBackend;
      for (const k of ['ContainerdCommit', 'RuncCommit', 'InitCommit']) {
        const c = objectAt(info[k]);
        if (c?.ID) c.Expected = c.ID;
      }
    },
  },
  {
    below: '1.50',
    what: 'no DiscoveredDevices; BridgeNfIptables and BridgeNfIp6tables are there, always false',
    apply(info) {
      delete info.DiscoveredDevices;
      info.BridgeNfIptables = false;
      info.BridgeNfIp6tables = false;
    },
  },
];

/** GET /system/df */
export const DISK_USAGE_GATES: readonly Gate<Json>[] = [
  {
    below: '1.42',
    what: 'BuilderSize (the build cache total) is set; build-cache records have Parent, not Parents',
    apply(du) {
      if (!Array.isArray(du.BuildCache)) return;
      let size = 0;
      for (const b of objectsIn(du.BuildCache)) {
        size += Number(b.Size ?? 0);
        delete b.Parents;
      }
      if (size) du.BuilderSize = size;
    },
  },
  {
    from: '1.42',
    what: 'build-cache records have no Parent',
    apply(du) {
      for (const b of objectsIn(du.BuildCache)) delete b.Parent;
    },
  },
  {
    below: '1.44',
    what: 'Images have VirtualSize (= Size)',
    apply(du) {
      for (const img of objectsIn(du.Images)) img.VirtualSize = img.Size;
    },
  },
];

/** GET /events: whether an event is sent to a client of this version (moby's shouldSkip). */
export const EVENT_GATES: readonly Gate<{ event: Json; skip: boolean }>[] = [
  {
    below: '1.46',
    what: 'image "create" events are not sent',
    apply(e) {
      if (e.event.Type === 'image' && e.event.Action === 'create') e.skip = true;
    },
  },
];
