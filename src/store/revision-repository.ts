import type { Db } from './database.js';

export type RevisionState = 'pending' | 'current' | 'replaced' | 'rolled-back' | 'failed';

/** The create request a revision was made from (POST /containers/create's body and name). */
export interface StoredCreateRequest {
  Config?: Record<string, unknown>;
  HostConfig?: Record<string, unknown>;
  NetworkingConfig?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A row of container_revisions as SQLite hands it back. */
interface RevisionDbRow {
  lineage: string;
  revision: number;
  container_id: string | null;
  name: string;
  image_ref: string;
  image_id: string;
  repo_digest: string | null;
  request: string;
  created: string;
  state: RevisionState;
  reason: string | null;
  logs: string | null;
  ended: string | null;
}

/** One image version a container line ran (container_revisions). */
export interface RevisionRow {
  lineage: string;
  revision: number;
  containerId: string | null;
  name: string;
  imageRef: string;
  imageId: string;
  repoDigest: string | null;
  request: StoredCreateRequest;
  created: string;
  state: RevisionState;
  reason: string | null;
  logs: string | null;
  ended: string | null;
}

/** The only SQL for revisions and upgrades in flight. */
export class RevisionRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO container_revisions (lineage, revision, container_id, name, image_ref, image_id, repo_digest, request, created, state, reason, logs, ended)
         VALUES (@lineage, @revision, @containerId, @name, @imageRef, @imageId, @repoDigest, @request, @created, @state, @reason, @logs, @ended)`,
      ),
      update: db.prepare(
        `UPDATE container_revisions SET container_id = @containerId, name = @name, state = @state, reason = @reason, logs = @logs, ended = @ended
         WHERE lineage = @lineage AND revision = @revision`,
      ),
      ofLineage: db.prepare('SELECT * FROM container_revisions WHERE lineage = ? ORDER BY revision DESC'),
      lineageOf: db.prepare("SELECT lineage FROM container_revisions WHERE container_id = ? ORDER BY state = 'current' DESC, revision DESC LIMIT 1"),
      removeLineage: db.prepare('DELETE FROM container_revisions WHERE lineage = ?'),
      removeOne: db.prepare('DELETE FROM container_revisions WHERE lineage = ? AND revision = ?'),
      byImage: db.prepare('SELECT * FROM container_revisions WHERE image_id = ? ORDER BY revision DESC'),
      imageIds: db.prepare('SELECT DISTINCT image_id FROM container_revisions'),
      putUpgrade: db.prepare('INSERT OR REPLACE INTO container_upgrades (lineage, doc) VALUES (?, ?)'),
      getUpgrade: db.prepare('SELECT doc FROM container_upgrades WHERE lineage = ?'),
      allUpgrades: db.prepare('SELECT doc FROM container_upgrades'),
      removeUpgrade: db.prepare('DELETE FROM container_upgrades WHERE lineage = ?'),
    };
  }

  insert(r: RevisionRow): void {
    this.stmts.insert.run(toParams(r));
  }

  update(r: RevisionRow): void {
    this.stmts.update.run(toParams(r));
  }

  /** Newest first. */
  ofLineage(lineage: string): RevisionRow[] {
    return (this.stmts.ofLineage.all(lineage) as RevisionDbRow[]).map(fromRow);
  }

  lineageOfContainer(containerId: string): string | undefined {
    return (this.stmts.lineageOf.get(containerId) as { lineage: string } | undefined)?.lineage;
  }

  removeLineage(lineage: string): void {
    this.stmts.removeLineage.run(lineage);
  }

  removeRevision(lineage: string, revision: number): void {
    this.stmts.removeOne.run(lineage, revision);
  }

  byImage(imageId: string): RevisionRow[] {
    return (this.stmts.byImage.all(imageId) as RevisionDbRow[]).map(fromRow);
  }

  imageIds(): string[] {
    return (this.stmts.imageIds.all() as { image_id: string }[]).map((r) => r.image_id);
  }

  /** Runs fn in one transaction, so a revision change and its upgrade step land together. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  putUpgrade(lineage: string, doc: object): void {
    this.stmts.putUpgrade.run(lineage, JSON.stringify(doc));
  }

  getUpgrade<T>(lineage: string): T | undefined {
    const row = this.stmts.getUpgrade.get(lineage) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  allUpgrades<T>(): T[] {
    return (this.stmts.allUpgrades.all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
  }

  removeUpgrade(lineage: string): void {
    this.stmts.removeUpgrade.run(lineage);
  }
}

function toParams(r: RevisionRow): Record<string, unknown> {
  return { ...r, request: JSON.stringify(r.request) };
}

function fromRow(r: RevisionDbRow): RevisionRow {
  return {
    lineage: r.lineage,
    revision: r.revision,
    containerId: r.container_id,
    name: r.name,
    imageRef: r.image_ref,
    imageId: r.image_id,
    repoDigest: r.repo_digest,
    request: JSON.parse(r.request) as StoredCreateRequest,
    created: r.created,
    state: r.state,
    reason: r.reason,
    logs: r.logs,
    ended: r.ended,
  };
}
