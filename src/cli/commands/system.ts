import type { Command } from 'commander';
import type { SystemInfo, SystemVersion } from '../../client/api-client.js';
import type { CliEnv } from '../cli-env.js';
import { BERTH_CLI_VERSION } from '../version.js';

function kv(rows: [string, unknown][], indent: string): string {
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  return rows.map(([k, v]) => `${indent}${`${k}:`.padEnd(width + 1)}${v ?? ''}`.trimEnd()).join('\n');
}

export function registerSystemCommands(program: Command, env: () => CliEnv): void {
  program
    .command('version')
    .description('Show the berth version information')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (opts: { format?: string }) => {
      const e = env();
      const client = {
        Version: BERTH_CLI_VERSION,
        ApiVersion: '1.51',
        DefaultAPIVersion: '1.51',
        GoVersion: `node ${process.version}`,
        Os: 'linux',
        Arch: process.arch === 'x64' ? 'amd64' : process.arch,
        Context: e.contextName,
      };
      let server: SystemVersion | undefined;
      let serverError: unknown;
      try {
        server = await e.client().system.version();
      } catch (err) {
        serverError = err;
      }
      if (opts.format) {
        const { renderTemplate } = await import('../output/go-template.js');
        e.out.write(renderTemplate(opts.format, { Client: client, Server: server ?? null }) + '\n');
      } else {
        let text = `Client:\n${kv(
          [
            ['Version', client.Version],
            ['API version', client.ApiVersion],
            ['Go version', client.GoVersion],
            ['OS/Arch', `${client.Os}/${client.Arch}`],
            ['Context', client.Context],
          ],
          ' ',
        )}\n`;
        if (server) {
          const engine = (server.Components ?? []).find((c) => c.Name === 'Engine');
          const d = engine?.Details ?? {};
          text += `\nServer: ${server.Platform?.Name ?? ''}\n Engine:\n${kv(
            [
              ['Version', server.Version],
              ['API version', `${server.ApiVersion} (minimum version ${server.MinAPIVersion})`],
              ['Go version', server.GoVersion],
              ['Git commit', server.GitCommit],
              ['Built', server.BuildTime],
              ['OS/Arch', `${server.Os}/${server.Arch}`],
              ['Experimental', d.Experimental ?? 'false'],
            ],
            '  ',
          )}\n`;
        }
        e.out.write(text);
      }
      if (serverError) throw serverError;
    });

  program
    .command('info')
    .description('Display system-wide information')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(async (opts: { format?: string }) => {
      const e = env();
      const info = await e.client().system.info();
      if (opts.format) {
        const { renderTemplate } = await import('../output/go-template.js');
        e.out.write(renderTemplate(opts.format, info) + '\n');
        return;
      }
      e.out.write(formatInfo(info));
    });
}

function formatInfo(i: SystemInfo): string {
  const lines = [
    'Server:',
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ...(i.DriverStatus ?? []).map(([k, v]) => `  ${k}: ${v}`),
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ' Plugins:',
    `  Volume: ${(i.Plugins?.Volume ?? []).join(' ')}`,
    `  Network: ${(i.Plugins?.Network ?? []).join(' ')}`,
    `  Log: ${(i.Plugins?.Log ?? []).join(' ')}`,
    ` Swarm: ${i.Swarm?.LocalNodeState ?? 'inactive'}`,
    ` Runtimes: ${Object.keys(i.Runtimes ?? {}).join(' ')}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Init Binary: ${i.InitBinary}`,
    ` Security Options:`,
    ...(i.SecurityOptions ?? []).map((s) => `  ${s.replace(/^name=/, '').replace(/,profile=/, '\n   Profile: ')}`),
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${(i.MemTotal / 1024 ** 3).toFixed(2)}GiB`,
    ` Name: ${i.Name}`,
    ` ID: ${i.ID}`,
    ` Berth Root Dir: ${i.DockerRootDir}`,
    ` Debug Mode: ${i.Debug}`,
    ` Experimental: ${i.ExperimentalBuild}`,
    ` Insecure Registries:`,
    ...(i.RegistryConfig?.InsecureRegistryCIDRs ?? []).map((c) => `  ${c}`),
    ...(i.RegistryConfig?.Mirrors?.length ? [' Registry Mirrors:', ...i.RegistryConfig.Mirrors.map((m) => `  ${m}`)] : []),
    ` Live Restore Enabled: ${i.LiveRestoreEnabled}`,
    '',
  ];
  return lines.join('\n');
}
