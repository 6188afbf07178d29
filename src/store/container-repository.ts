import type { Db } from './database.js';
import { readableDocs, repairStringMap, type DocCheck } from './readable-docs.js';

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

// What every view of a container reads without checking; anything deeper the views guard.
const containerCheck: DocCheck = {
  unusable(c) {
    if (typeof c.Id !== 'string' || typeof c.Name !== 'string') return 'no Id or Name';
    for (const k of ['Config', 'HostConfig', 'State', 'NetworkSettings']) if (!isObject(c[k])) return `${k} is not an object`;
    return undefined;
  },
  repair: (c) => [repairStringMap(c.Config as Record<string, unknown>, 'Labels')],
};

/** A row of image_history. */
interface ImageRunRow {
  image_id: string;
  image_ref: string;
  first_run: string;
}

/** The columns the store searches on; the rest of the record is kept whole as JSON. */
export interface StoredContainer {
  Id: string;
  Name: string;
  Image: string;
  Created: string;
}

/** The only SQL for containers: one row per container. */
export class ContainerRepository<ContainerRecord extends StoredContainer = StoredContainer> {
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insert: db.prepare('INSERT INTO containers (id, name, image_id, created, doc) VALUES (?, ?, ?, ?, ?)'),
      update: db.prepare('UPDATE containers SET name = ?, image_id = ?, doc = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM containers WHERE id = ?'),
      all: db.prepare('SELECT doc FROM containers ORDER BY created DESC'),
      byName: db.prepare('SELECT id FROM containers WHERE name = ?'),
      history: db.prepare(
        'INSERT OR IGNORE INTO image_history (container_name, image_id, image_ref, first_run) VALUES (?, ?, ?, ?)',
      ),
      historyOf: db.prepare('SELECT image_id, image_ref, first_run FROM image_history WHERE container_name = ? ORDER BY first_run DESC'),
    };
  }

  insert(c: ContainerRecord): void {
    this.stmts.insert.run(c.Id, c.Name.replace(/^\//, ''), c.Image, c.Created, JSON.stringify(c));
  }

  save(c: ContainerRecord): void {
    this.stmts.update.run(c.Name.replace(/^\//, ''), c.Image, JSON.stringify(c), c.Id);
  }

  remove(id: string): void {
    this.stmts.remove.run(id);
  }

  all(): ContainerRecord[] {
    return readableDocs<ContainerRecord>('container', this.stmts.all.all() as { doc: string }[], (c) => c.Id, containerCheck);
  }

  idByName(name: string): string | undefined {
    return (this.stmts.byName.get(name.replace(/^\//, '')) as { id: string } | undefined)?.id;
  }

  /** Remembers that a container named `name` ran this image (for rollback). */
  recordImageRun(name: string, imageId: string, imageRef: string, when: string): void {
    this.stmts.history.run(name.replace(/^\//, ''), imageId, imageRef, when);
  }

  imageHistory(name: string): { imageId: string; imageRef: string; firstRun: string }[] {
    return (this.stmts.historyOf.all(name.replace(/^\//, '')) as ImageRunRow[]).map((r) => ({
      imageId: r.image_id,
      imageRef: r.image_ref,
      firstRun: r.first_run,
    }));
  }
}
