import { decoder } from './decode.js';
import { bool, map, slice, str, struct, type Infer } from './go-types.js';
import { endpointSettings } from './container-bodies.js';

// The network and volume bodies as moby's api/types declares them.

const stringMap = () => map(str());

/** POST /networks/create (NetworkCreate embedded, so its fields are the request's). */
export const networkCreateBody = struct('types.NetworkCreateRequest', {
  Name: str(),
  CheckDuplicate: bool(),
  Driver: str(),
  Scope: str(),
  EnableIPv4: bool(),
  EnableIPv6: bool(),
  IPAM: struct('network.IPAM', {
    Driver: str(),
    Options: stringMap(),
    Config: slice(
      struct('network.IPAMConfig', { Subnet: str(), IPRange: str(), Gateway: str(), AuxiliaryAddresses: stringMap() }),
      { maxItems: 64 },
    ),
  }),
  Internal: bool(),
  Attachable: bool(),
  Ingress: bool(),
  ConfigOnly: bool(),
  ConfigFrom: struct('network.ConfigReference', { Network: str() }),
  Options: stringMap(),
  Labels: stringMap(),
});
export type NetworkCreateBody = Infer<typeof networkCreateBody>;
export const decodeNetworkCreateBody = decoder(networkCreateBody);

/** POST /networks/{id}/connect. */
export const decodeNetworkConnectBody = decoder(struct('types.NetworkConnect', { Container: str(), EndpointConfig: endpointSettings }));

/** POST /networks/{id}/disconnect. */
export const decodeNetworkDisconnectBody = decoder(struct('types.NetworkDisconnect', { Container: str(), Force: bool() }));

/**
 * A volume's name is a directory name under the data root: longer than the file system allows
 * could only end in ENAMETOOLONG, so it is refused up front.
 */
export const MAX_VOLUME_NAME = 255;

/** POST /volumes/create. */
export const volumeCreateBody = struct('volume.CreateOptions', {
  Name: str('string', MAX_VOLUME_NAME),
  Driver: str(),
  DriverOpts: stringMap(),
  Labels: stringMap(),
  ClusterVolumeSpec: struct('volume.ClusterVolumeSpec', {}),
});
export type VolumeCreateBody = Infer<typeof volumeCreateBody>;
export const decodeVolumeCreateBody = decoder(volumeCreateBody);
