import type { Db } from './database.js';
import { readableDocs, repairStringMap, type DocCheck } from './readable-docs.js';

const volumeCheck: DocCheck = {
  unusable: (v) => (typeof v.Name !== 'string' ? 'no Name' : undefined),
  repair: (v) => [repairStringMap(v, 'Labels'), repairStringMap(v, 'Options')],
};

/** A volume as berth remembers it: Docker's inspect fields that do not change after create. */
export interface VolumeRecord {
  Name: string;
  Driver: string;
  /** RFC 3339, seconds precision, as Docker prints it. */
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
}

/** The only SQL for volumes: one row per volume, the record kept whole as JSON. */
export class VolumeRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      put: db.prepare('INSERT INTO volumes (name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc'),
      get: db.prepare('SELECT doc FROM volumes WHERE name = ?'),
      all: db.prepare('SELECT doc FROM volumes ORDER BY name'),
      remove: db.prepare('DELETE FROM volumes WHERE name = ?'),
    };
  }

  put(v: VolumeRecord): void {
    this.stmts.put.run(v.Name, JSON.stringify(v));
  }

  get(name: string): VolumeRecord | undefined {
    const row = this.stmts.get.get(name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as VolumeRecord) : undefined;
  }

  all(): VolumeRecord[] {
    return readableDocs<VolumeRecord>('volume', this.stmts.all.all() as { doc: string }[], (v) => v.Name, volumeCheck);
  }

  remove(name: string): void {
    this.stmts.remove.run(name);
  }
}
