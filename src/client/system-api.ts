import type { IncomingMessage } from 'node:http';
import type { HostCheck } from '../common/host-check-report.js';
import { encodeQueryPairs, type ApiClient, type QueryPairs } from './api-client.js';
import type { AuthResponse, BackupFile, ConsoleToken, DiskUsage, Revision, RestoreResult, SystemInfo, SystemVersion, UpgradeMessage } from './api-types.js';
import { readJsonLines } from './response-body.js';

// The daemon-wide endpoints (/_ping, /version, /info, /system/df, /auth) and berth's own
// (/berth/v1/...: revisions, backups, restore, doctor, console).

export class SystemApi {
  constructor(private readonly c: ApiClient) {}

  ping(): Promise<unknown> {
    return this.c.call('GET', '/_ping');
  }

  version(): Promise<SystemVersion> {
    return this.c.call<SystemVersion>('GET', '/version');
  }

  info(): Promise<SystemInfo> {
    return this.c.call<SystemInfo>('GET', '/info');
  }

  df(): Promise<DiskUsage> {
    return this.c.call<DiskUsage>('GET', '/system/df');
  }

  auth(body: { username: string; password: string; serveraddress: string }): Promise<AuthResponse | undefined> {
    return this.c.call<AuthResponse | undefined>('POST', '/auth', { body });
  }
}

const container = (ref: string, verb: string): string => `/berth/v1/containers/${encodeURIComponent(ref)}/${verb}`;

/** The health gate's flags as upgrade and rollback take them. */
export type GateQuery = Record<string, string | boolean | undefined>;

export class BerthApi {
  constructor(private readonly c: ApiClient) {}

  revisions(ref: string): Promise<Revision[]> {
    return this.c.call<Revision[]>('GET', container(ref, 'revisions'));
  }

  /** upgrade or rollback: the steps as they happen, the outcome last. */
  async gate(ref: string, verb: 'upgrade' | 'rollback', query: GateQuery): Promise<AsyncGenerator<UpgradeMessage>> {
    const res = await this.c.stream('POST', container(ref, verb), { query });
    return readJsonLines<UpgradeMessage>(res);
  }

  /** A container's backup archive (zstd); `query` as GET /berth/v1/containers/{id}/backup takes it. */
  backup(ref: string, params: QueryPairs): Promise<IncomingMessage> {
    return this.c.stream('GET', `${container(ref, 'backup')}${encodeQueryPairs(params)}`);
  }

  /** Which of these layer diff IDs the daemon has (migrate's layer negotiation). */
  haveLayers(diffIds: string[]): Promise<{ Have?: string[] }> {
    return this.c.call<{ Have?: string[] }>('GET', '/berth/v1/images/have', { query: { digests: diffIds.join(',') } });
  }

  /** Labels the source of a migration (stopped and kept) with its destination. */
  async markMigrated(ref: string, destination: string): Promise<void> {
    await this.c.call('POST', container(ref, 'migrated'), { query: { to: destination } });
  }

  backups(): Promise<BackupFile[]> {
    return this.c.call<BackupFile[]>('GET', '/berth/v1/backups');
  }

  pruneBackups(): Promise<{ Removed: string[] }> {
    return this.c.call<{ Removed: string[] }>('POST', '/berth/v1/backups/prune');
  }

  restore(params: QueryPairs, archive: NodeJS.ReadableStream, signal?: AbortSignal): Promise<RestoreResult> {
    return this.c.call<RestoreResult>('POST', `/berth/v1/restore${encodeQueryPairs(params)}`, {
      rawBody: archive,
      headers: { 'Content-Type': 'application/zstd' },
      signal,
    });
  }

  exportVolume(name: string): Promise<IncomingMessage> {
    return this.c.stream('GET', `/berth/v1/volumes/${encodeURIComponent(name)}/export`);
  }

  async importVolume(name: string, archive: NodeJS.ReadableStream): Promise<void> {
    await this.c.call('POST', `/berth/v1/volumes/${encodeURIComponent(name)}/import`, { rawBody: archive, headers: { 'Content-Type': 'application/x-tar' } });
  }

  doctor(): Promise<{ Checks: HostCheck[] }> {
    return this.c.call<{ Checks: HostCheck[] }>('GET', '/berth/v1/doctor');
  }

  consoleToken(readonly: boolean): Promise<ConsoleToken> {
    return this.c.call<ConsoleToken>('POST', `/berth/v1/console/token${readonly ? '?readonly=1' : ''}`);
  }
}
