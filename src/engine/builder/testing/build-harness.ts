import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ImageRecord } from '../../images/image-views.js';
import type { BuildMessage, BuildOptions } from '../build-types.js';
import { ImageBuilder } from '../image-builder.js';
import { FakeBuilderDeps } from './fake-builder-deps.js';

// One build over the fakes: a context written to a temporary directory, the messages collected.

export const BASE = 'registry.test/base:1';

export interface BuildResult {
  id: string;
  image: ImageRecord;
  messages: BuildMessage[];
  /** The `stream` messages joined: what `docker build` prints. */
  out: string;
}

export function options(o: Partial<BuildOptions> = {}): BuildOptions {
  return { dockerfile: 'Dockerfile', tags: [], buildArgs: {}, labels: {}, noCache: false, rm: true, forceRm: false, pull: false, quiet: false, hostConfig: {}, ...o };
}

/** Deps with one base image, `BASE`, holding /bin/sh and an /etc directory. */
export function fakeDeps(baseConfig: Record<string, unknown> = { Env: ['PATH=/usr/bin:/bin'], Cmd: ['sh'] }): FakeBuilderDeps {
  const d = new FakeBuilderDeps();
  d.images.add(BASE, baseConfig, { '/bin/sh': '#!', '/etc/hostname': 'base\n' });
  return d;
}

/** Builds `files` (the Dockerfile among them) and returns the image; a failing build rejects with the error, its messages on `messages`. */
export async function build(d: FakeBuilderDeps, files: Record<string, string | Buffer>, o: Partial<BuildOptions> = {}, messages: BuildMessage[] = []): Promise<BuildResult> {
  const context = mkdtempSync(join(tmpdir(), 'berth-builder-unit-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(context, name)), { recursive: true });
      writeFileSync(join(context, name), text);
    }
    const id = await new ImageBuilder(d).build(context, options(o), (m) => messages.push(m));
    return { id, image: d.images.getImage(id), messages, out: streamOf(messages) };
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

export const streamOf = (messages: BuildMessage[]): string => messages.map((m) => (typeof m.stream === 'string' ? m.stream : '')).join('');

/** The created_by of each history entry the build added on top of `BASE`. */
export function historyOf(img: ImageRecord): string[] {
  return (img.config.history ?? []).map((h) => h.created_by ?? '').filter((c) => !c.startsWith('base '));
}
