import { InvalidArgumentError } from '../../common/errors.js';
import { ensureObject, objectAt, objectsIn, type JsonObject as Json } from '../../common/json-object.js';
import { isUserDefinedNetwork } from './container-gates.js';
import type { Gate } from './gate-table.js';

// Request-side gates of moby v28.5.2 api/server/router/container (postContainersCreate,
// postContainerUpdate, exec), network and volume routes: what an older client's request means.
// They run on the decoded body before the engine sees it.

export interface CreateGateOptions {
  /** "1" or "2": dockerd defaults old clients to the host cgroup namespace on v1 hosts only. */
  cgroupVersion?: string;
  /** Warnings dockerd adds to the create response. */
  warnings: string[];
}

function mounts(body: Json): Json[] {
  return objectsIn(objectAt(body.HostConfig)?.Mounts);
}

/** EndpointsConfig: network name -> endpoint settings (null for none). */
function endpoints(body: Json): Json {
  return objectAt(objectAt(body.NetworkingConfig)?.EndpointsConfig) ?? {};
}

/** The endpoint settings given, one per network that has them. */
function endpointSettings(body: Json): Json[] {
  return Object.values(endpoints(body)).filter((ep): ep is Json => !!objectAt(ep));
}

/** The network NetworkMode names, as dockerd resolves "" and "default". */
function networkModeName(body: Json): string {
  const mode = String(objectAt(body.HostConfig)?.NetworkMode ?? '');
  return mode === '' || mode === 'default' ? 'bridge' : mode;
}

/** moby's epConfigForNetMode: the endpoint config of the NetworkMode's network, created if there is none. */
function endpointForNetworkMode(body: Json, below144: boolean): Json {
  const name = networkModeName(body);
  const eps = endpoints(body);
  const keys = Object.keys(eps);
  if (keys.length === 0) {
    const ep: Json = {};
    body.NetworkingConfig = { ...objectAt(body.NetworkingConfig), EndpointsConfig: { [name]: ep } };
    return ep;
  }
  // Below 1.44 there is at most one endpoint, and it is the one.
  if (below144) return ensureObject(eps, keys[0]!);
  if (!(name in eps)) throw new InvalidArgumentError('HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks');
  return ensureObject(eps, name);
}

function isBridgeOrUserDefined(body: Json): boolean {
  const name = networkModeName(body);
  return name === 'bridge' || isUserDefinedNetwork(name);
}

/** POST /containers/create: the body `{...Config, HostConfig, NetworkingConfig}`. */
export const CONTAINER_CREATE_GATES: readonly Gate<Json, CreateGateOptions>[] = [
  {
    below: '1.25',
    what: 'HostConfig.AutoRemove is ignored (the client removes the container)',
    apply(b) {
      const hc = objectAt(b.HostConfig);
      if (hc) hc.AutoRemove = false;
    },
  },
  {
    below: '1.40',
    what: 'BindOptions.NonRecursive and KernelMemoryTCP are ignored; IpcMode defaults to "shareable"',
    apply(b) {
      for (const m of mounts(b)) {
        const bind = objectAt(m.BindOptions);
        if (bind) bind.NonRecursive = false;
      }
      const hc = ensureObject(b, 'HostConfig');
      delete hc.KernelMemoryTCP;
      if (!hc.IpcMode) hc.IpcMode = 'shareable';
    },
  },
  {
    below: '1.41',
    what: 'CgroupnsMode defaults to "host" on cgroup v1 hosts',
    apply(b, o) {
      if (o.cgroupVersion === '2') return;
      const hc = ensureObject(b, 'HostConfig');
      if (!hc.CgroupnsMode) hc.CgroupnsMode = 'host';
    },
  },
  {
    below: '1.42',
    what: 'BindOptions.CreateMountpoint and ConsoleSize are ignored; options of another mount type are dropped',
    apply(b) {
      for (const m of mounts(b)) {
        const bind = objectAt(m.BindOptions);
        if (bind) bind.CreateMountpoint = false;
        if (m.VolumeOptions && m.Type !== 'volume') delete m.VolumeOptions;
        if (m.TmpfsOptions && m.Type !== 'tmpfs') delete m.TmpfsOptions;
      }
      const hc = objectAt(b.HostConfig);
      if (hc) hc.ConsoleSize = [0, 0];
    },
  },
  {
    from: '1.42',
    what: 'KernelMemory is ignored; options of another mount type are refused',
    apply(b) {
      delete objectAt(b.HostConfig)?.KernelMemory;
      for (const m of mounts(b)) {
        if (m.VolumeOptions && m.Type !== 'volume') throw new InvalidArgumentError(`VolumeOptions must not be specified on mount type "${m.Type}"`);
        if (m.BindOptions && m.Type !== 'bind') throw new InvalidArgumentError(`BindOptions must not be specified on mount type "${m.Type}"`);
        if (m.TmpfsOptions && m.Type !== 'tmpfs') throw new InvalidArgumentError(`TmpfsOptions must not be specified on mount type "${m.Type}"`);
      }
    },
  },
  { below: '1.43', what: 'HostConfig.Annotations are ignored', apply: (b) => void delete objectAt(b.HostConfig)?.Annotations },
  {
    below: '1.44',
    what: 'Healthcheck.StartInterval is ignored; ReadOnlyForceRecursive and several networks are refused',
    apply(b) {
      delete objectAt(b.Healthcheck)?.StartInterval;
      for (const m of mounts(b)) {
        if (m.Type === 'bind' && objectAt(m.BindOptions)?.ReadOnlyForceRecursive) {
          throw new InvalidArgumentError('BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer');
        }
      }
      const keys = Object.keys(endpoints(b));
      if (keys.length > 1) throw new InvalidArgumentError(`Container cannot be created with multiple network endpoints: ${keys.join(', ')}`);
    },
  },
  {
    below: '1.45',
    what: 'VolumeOptions.Subpath is refused',
    apply(b) {
      for (const m of mounts(b)) if (objectAt(m.VolumeOptions)?.Subpath) throw new InvalidArgumentError('VolumeOptions.Subpath needs API v1.45 or newer');
    },
  },
  {
    below: '1.48',
    what: 'EndpointsConfig GwPriority is ignored; mounts of type "image" are refused',
    apply(b) {
      for (const ep of endpointSettings(b)) ep.GwPriority = 0;
      for (const m of mounts(b)) if (m.Type === 'image') throw new InvalidArgumentError('Mount type "Image" needs API v1.48 or newer');
    },
  },
  {
    from: '1.48',
    what: 'a warning when the container-wide VolumeDriver meets volumes given as Mounts',
    apply(b, o) {
      if (!objectAt(b.HostConfig)?.VolumeDriver) return;
      const ambiguous = mounts(b).some((m) => m.Type === 'volume' && !objectAt(objectAt(m.VolumeOptions)?.DriverConfig)?.Name);
      if (ambiguous) {
        o.warnings.push("WARNING: the container-wide volume-driver configuration is ignored for volumes specified via 'mount'. Use '--mount type=volume,volume-driver=...' instead");
      }
    },
  },
  {
    below: '1.44',
    what: 'the container-wide Config.MacAddress is the main endpoint\'s; an endpoint MacAddress alone is ignored',
    apply(b) {
      const mac = b.MacAddress;
      if (!mac) {
        for (const ep of endpointSettings(b)) ep.MacAddress = '';
        return;
      }
      if (!isBridgeOrUserDefined(b)) throw new InvalidArgumentError('conflicting options: mac-address and the network mode');
      endpointForNetworkMode(b, true).MacAddress = mac;
    },
  },
  {
    from: '1.44',
    what: 'Config.MacAddress is deprecated: moved to the main endpoint, with a warning',
    apply(b, o) {
      const mac = b.MacAddress;
      if (!mac) return;
      if (isBridgeOrUserDefined(b)) {
        let ep: Json;
        try {
          ep = endpointForNetworkMode(b, false);
        } catch (err) {
          throw new InvalidArgumentError(`unable to migrate container-wide MAC address to a specific network: ${(err as Error).message}`);
        }
        if (!ep.MacAddress) ep.MacAddress = mac;
        else if (ep.MacAddress !== mac) {
          throw new InvalidArgumentError('the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
        }
      }
      o.warnings.push('The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.');
      delete b.MacAddress;
    },
  },
];

/** POST /containers/{name}/update */
export const CONTAINER_UPDATE_GATES: readonly Gate<Json>[] = [
  { below: '1.40', what: 'PidsLimit is ignored', apply: (u) => void delete u.PidsLimit },
  { from: '1.42', what: 'KernelMemory is ignored', apply: (u) => void delete u.KernelMemory },
];

/** POST /containers/{name}/exec */
export const EXEC_CREATE_GATES: readonly Gate<Json>[] = [{ below: '1.42', what: 'ConsoleSize is ignored', apply: (e) => void (e.ConsoleSize = null) }];

/** POST /exec/{id}/start */
export const EXEC_START_GATES: readonly Gate<Json>[] = [{ below: '1.42', what: 'ConsoleSize is ignored', apply: (e) => void (e.ConsoleSize = null) }];

/** POST /networks/create */
export const NETWORK_CREATE_GATES: readonly Gate<Json>[] = [{ below: '1.48', what: 'EnableIPv4 is ignored', apply: (n) => void delete n.EnableIPv4 }];

/** POST /volumes/prune: the filters. Below 1.42 dockerd adds all=true, so every unused volume goes. */
export const VOLUME_PRUNE_GATES: readonly Gate<Record<string, string[]>>[] = [
  {
    below: '1.42',
    what: 'prune takes named volumes too (the filter all=true is added)',
    apply(f) {
      f.all = [...new Set([...(f.all ?? []), 'true'])];
    },
  },
];
