import { spawnSync } from 'node:child_process';

/**
 * Removes what a berthd leaves on the host for its default bridge by design (the bridge, its nft
 * table and its iptables chains, all named after the bridge): for tests and benches that start a
 * berthd of their own.
 */
export function removeBridgeLeftovers(bridge: string): void {
  const chain = bridge.toUpperCase();
  spawnSync('ip', ['link', 'del', bridge]);
  spawnSync('nft', ['delete', 'table', 'ip', bridge]);
  for (const p of ['FORWARD', 'INPUT']) {
    spawnSync('iptables', ['-D', p, '-j', `${chain}-${p}`]);
    spawnSync('iptables', ['-F', `${chain}-${p}`]);
    spawnSync('iptables', ['-X', `${chain}-${p}`]);
  }
}
