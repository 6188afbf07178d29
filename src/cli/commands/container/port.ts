import type { Command } from 'commander';
import { CliExit, type CliEnv } from '../../cli-env.js';

// `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`: the published ports from the container's settings.

function hostAddress(b: { HostIp?: string; HostPort?: string }): string {
  const ip = b.HostIp || '0.0.0.0';
  return `${ip.includes(':') ? `[${ip}]` : ip}:${b.HostPort ?? ''}`;
}

function portOrder(a: string, b: string): number {
  const [pa, protoA] = a.split('/');
  const [pb, protoB] = b.split('/');
  return Number(pa) - Number(pb) || (protoA ?? '').localeCompare(protoB ?? '');
}

export function registerPortCommand(parent: Command, env: () => CliEnv): void {
  parent
    .command('port')
    .description('List port mappings or a specific mapping for the container')
    .usage('CONTAINER [PRIVATE_PORT[/PROTO]]')
    .argument('<container>')
    .argument('[port]')
    .action(async (target: string, port: string | undefined) => {
      const e = env();
      const c = await e.client().containers.inspect(target);
      const ports: Record<string, { HostIp?: string; HostPort?: string }[] | null> = c.NetworkSettings?.Ports ?? {};
      if (port) {
        const key = port.includes('/') ? port : `${port}/tcp`;
        const bindings = ports[key];
        if (!bindings?.length) throw new CliExit(1, `Error: No public port '${key}' published for ${target}`);
        e.out.write(bindings.map((b) => `${hostAddress(b)}\n`).join(''));
        return;
      }
      let out = '';
      for (const key of Object.keys(ports).sort(portOrder)) {
        for (const b of ports[key] ?? []) out += `${key} -> ${hostAddress(b)}\n`;
      }
      e.out.write(out);
    });
}
