import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from './command.js';

const BUSYBOX = '/bin/busybox';

/** A prepared OCI bundle (busybox-static rootfs) for timing `crun run` alone, the floor under every engine. */
export class CrunBundle {
  private constructor(
    readonly crun: string,
    readonly dir: string,
  ) {}

  /** Builds the bundle from `crun spec` with the rootfs made of /bin/busybox (Debian's busybox-static). */
  static async create(crun: string, args: readonly string[]): Promise<CrunBundle> {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-crun-'));
    try {
      const rootfs = join(dir, 'rootfs');
      for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
      copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
      for (const applet of ['sh', 'true', 'sleep']) symlinkSync('busybox', join(rootfs, 'bin', applet));
      await mustRun([crun, 'spec', '--bundle', dir]);
      const specPath = join(dir, 'config.json');
      const spec = JSON.parse(readFileSync(specPath, 'utf8'));
      spec.root = { path: rootfs, readonly: true };
      spec.process.terminal = false;
      spec.process.args = args;
      writeFileSync(specPath, JSON.stringify(spec));
      return new CrunBundle(crun, dir);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** argv for `crun run` of this bundle under a fresh container id (crun deletes the container when it exits). */
  runArgv(id: string): string[] {
    return [this.crun, '--cgroup-manager=cgroupfs', 'run', '--bundle', this.dir, id];
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
