import { bridgeSandbox } from './sandbox-bridge.js';
import { containerSandbox } from './sandbox-container.js';
import { hostSandbox } from './sandbox-host.js';
import { sandboxKindOf, type SandboxKind, type SandboxSetup } from './sandbox-modes.js';
import { noneSandbox } from './sandbox-none.js';

/** From the kind of network mode to the module that builds its sandbox. */
export const SANDBOX_SETUPS: Readonly<Record<SandboxKind, SandboxSetup>> = {
  host: hostSandbox,
  none: noneSandbox,
  container: containerSandbox,
  // The default bridge and user networks are both the bridge driver's; what sets user networks
  // apart (DNS names, aliases, static addresses, the embedded DNS server) is in user-networks.ts.
  bridge: bridgeSandbox,
  network: bridgeSandbox,
};

/** The sandbox setup for a container's HostConfig.NetworkMode. */
export function selectSandbox(networkMode: string | undefined): SandboxSetup {
  return SANDBOX_SETUPS[sandboxKindOf(networkMode).kind];
}
