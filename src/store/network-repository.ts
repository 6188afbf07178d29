import type { Db } from './database.js';
import type { EndpointRecord, NetworkDoc, SandboxRecord } from './network-records.js';
import { readableDocs, repairStringMap, type DocCheck } from './readable-docs.js';

const networkCheck: DocCheck = {
  unusable: (n) => (typeof n.Id !== 'string' || typeof n.Name !== 'string' ? 'no Id or Name' : undefined),
  repair: (n) => [repairStringMap(n, 'Labels'), repairStringMap(n, 'Options')],
};

/** SQL for networks, their IP allocations, endpoints and container sandboxes. */
export class NetworkRepository {
  constructor(private readonly db: Db) {}

  // networks
  listNetworks(): NetworkDoc[] {
    const rows = this.db.prepare('SELECT doc FROM networks ORDER BY name').all() as { doc: string }[];
    return readableDocs<NetworkDoc>('network', rows, (n) => n.Id, networkCheck);
  }
  getNetwork(id: string): NetworkDoc | undefined {
    const row = this.db.prepare('SELECT doc FROM networks WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as NetworkDoc) : undefined;
  }
  putNetwork(doc: NetworkDoc): void {
    this.db
      .prepare('INSERT INTO networks (id, name, doc) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, doc = excluded.doc')
      .run(doc.Id, doc.Name, JSON.stringify(doc));
  }
  /** Deletes the network row and its allocations in one transaction. */
  deleteNetwork(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM ip_allocations WHERE network_id = ?').run(id);
      this.db.prepare('DELETE FROM network_endpoints WHERE network_id = ?').run(id);
      this.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
    })();
  }

  // ip_allocations
  allocatedAddresses(networkId: string): Set<string> {
    const rows = this.db.prepare('SELECT address FROM ip_allocations WHERE network_id = ?').all(networkId) as { address: string }[];
    return new Set(rows.map((r) => r.address));
  }
  /** Inserts an allocation; false when the address is already taken. */
  tryAllocate(networkId: string, address: string, owner: string): boolean {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO ip_allocations (network_id, address, owner) VALUES (?, ?, ?)')
      .run(networkId, address, owner);
    return r.changes === 1;
  }
  addressOwner(networkId: string, address: string): string | undefined {
    const row = this.db
      .prepare('SELECT owner FROM ip_allocations WHERE network_id = ? AND address = ?')
      .get(networkId, address) as { owner: string } | undefined;
    return row?.owner;
  }
  release(networkId: string, address: string): void {
    this.db.prepare('DELETE FROM ip_allocations WHERE network_id = ? AND address = ?').run(networkId, address);
  }
  releaseOwner(owner: string): void {
    this.db.prepare('DELETE FROM ip_allocations WHERE owner = ?').run(owner);
  }
  /** Containers holding addresses (not the gateway nor a network's auxiliary addresses). */
  allocationOwners(): Set<string> {
    const rows = this.db.prepare("SELECT DISTINCT owner FROM ip_allocations WHERE owner NOT IN ('gateway', 'aux')").all() as { owner: string }[];
    return new Set(rows.map((r) => r.owner));
  }

  // network_endpoints
  putEndpoint(ep: EndpointRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO network_endpoints (network_id, container_id, doc) VALUES (?, ?, ?)')
      .run(ep.networkId, ep.containerId, JSON.stringify(ep));
  }
  deleteEndpoint(networkId: string, containerId: string): void {
    this.db.prepare('DELETE FROM network_endpoints WHERE network_id = ? AND container_id = ?').run(networkId, containerId);
  }
  endpointsOfNetwork(networkId: string): EndpointRecord[] {
    const rows = this.db.prepare('SELECT doc FROM network_endpoints WHERE network_id = ?').all(networkId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as EndpointRecord);
  }
  endpointsOfContainer(containerId: string): EndpointRecord[] {
    const rows = this.db
      .prepare('SELECT doc FROM network_endpoints WHERE container_id = ? ORDER BY rowid')
      .all(containerId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as EndpointRecord);
  }
  allEndpoints(): EndpointRecord[] {
    const rows = this.db.prepare('SELECT doc FROM network_endpoints').all() as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as EndpointRecord);
  }

  // network_sandboxes
  putSandbox(sb: SandboxRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO network_sandboxes (container_id, doc) VALUES (?, ?)')
      .run(sb.containerId, JSON.stringify(sb));
  }
  getSandbox(containerId: string): SandboxRecord | undefined {
    const row = this.db.prepare('SELECT doc FROM network_sandboxes WHERE container_id = ?').get(containerId) as
      | { doc: string }
      | undefined;
    return row ? (JSON.parse(row.doc) as SandboxRecord) : undefined;
  }
  allSandboxes(): SandboxRecord[] {
    const rows = this.db.prepare('SELECT doc FROM network_sandboxes').all() as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as SandboxRecord);
  }
  /** Forgets everything of a container: sandbox, endpoints, addresses. */
  deleteContainer(containerId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM network_sandboxes WHERE container_id = ?').run(containerId);
      this.db.prepare('DELETE FROM network_endpoints WHERE container_id = ?').run(containerId);
      this.db.prepare('DELETE FROM ip_allocations WHERE owner = ?').run(containerId);
    })();
  }
}
