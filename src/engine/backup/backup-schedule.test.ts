import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { BackupScheduler, listBackupFiles, parseBackupSchedules } from './backup-schedule.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-sched-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const logger = { info: () => undefined, error: () => undefined, warn: () => undefined, debug: () => undefined } as never;

test('a due schedule writes one archive per container and keeps only the newest', async () => {
  let clock = new Date('2026-03-01T10:00:10Z');
  writeFileSync(join(dir, 'web.20260301T095900Z.berth.tar.zst.partial'), 'left by a crash');
  const sched = new BackupScheduler({
    schedules: parseBackupSchedules([{ containers: ['web', 'db'], schedule: '* * * * *', dir, keep: 2 }]),
    select: (s) => s.containers ?? [],
    backup: async (name) => Readable.from([Buffer.from(`backup of ${name} at ${clock.toISOString()}`)]),
    now: () => clock,
    logger,
  });
  sched.start();
  await sched.stop();
  assert.equal(existsSync(join(dir, 'web.20260301T095900Z.berth.tar.zst.partial')), false, 'a crash leftover goes at start');
  assert.deepEqual(await sched.runDue(), [], 'not due before the next minute');
  for (const t of ['10:01:00', '10:02:00', '10:03:00']) {
    clock = new Date(`2026-03-01T${t}Z`);
    assert.equal((await sched.runDue()).length, 2);
  }
  const files = listBackupFiles(dir);
  assert.deepEqual(
    files.map((f) => [f.container, f.created.toISOString()]),
    [
      ['web', '2026-03-01T10:03:00.000Z'],
      ['db', '2026-03-01T10:03:00.000Z'],
      ['web', '2026-03-01T10:02:00.000Z'],
      ['db', '2026-03-01T10:02:00.000Z'],
    ],
  );
});

test('a failed backup leaves no file under the final name', async () => {
  const d2 = join(dir, 'failing');
  const sched = new BackupScheduler({
    schedules: parseBackupSchedules([{ containers: ['web'], schedule: '0 * * * *', dir: d2 }]),
    select: () => ['web'],
    backup: async () =>
      Readable.from(
        (async function* () {
          yield Buffer.from('half');
          throw new Error('disk gone');
        })(),
      ),
    now: () => new Date('2026-03-01T10:00:00Z'),
    logger,
  });
  assert.deepEqual(await sched.runSchedule(parseBackupSchedules([{ containers: ['web'], schedule: '0 * * * *', dir: d2 }])[0]!, new Date()), []);
  assert.deepEqual(readdirSync(d2), []);
});

test('bad schedules are refused', () => {
  assert.throws(() => parseBackupSchedules([{ schedule: '* * * * *', dir: '/x' }]), /name "containers" or a "label"/);
  assert.throws(() => parseBackupSchedules([{ containers: ['a'], schedule: 'often', dir: '/x' }]), /cron/);
  assert.throws(() => parseBackupSchedules([{ containers: ['a'], schedule: '* * * * *', dir: 'rel' }]), /absolute/);
  assert.throws(() => parseBackupSchedules([{ containers: ['a'], schedule: '* * * * *', dir: '/x', keep: 0 }]), /keep/);
});
