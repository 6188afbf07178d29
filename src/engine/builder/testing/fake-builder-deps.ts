import type { Logger } from '../../../common/logger.js';
import { silentLogger } from '../../../common/logger.js';
import type { ContainerConfig } from '../../images/image-config-changes.js';
import type { BuilderDeps } from '../build-types.js';
import { FakeArchive } from './fake-archive.js';
import { FakeContainers } from './fake-containers.js';
import { FakeImages } from './fake-images.js';
import { copyTree } from './fake-tree.js';

// All the builder's deps, faked, and what the builder did with them.

export interface FakeCommit {
  container: string;
  config: ContainerConfig;
  createdBy: string;
  author?: string;
  image: string;
}

export class FakeBuilderDeps implements BuilderDeps {
  readonly images = new FakeImages();
  readonly containers = new FakeContainers(this.images);
  readonly archive = new FakeArchive(this.containers);
  readonly commits: FakeCommit[] = [];
  readonly logger: Logger = silentLogger;

  /** The container's files as a child image of its own, with one more layer and history entry. */
  async commit(containerId: string, config: ContainerConfig, createdBy: string, author?: string): Promise<string> {
    const c = this.containers.get(containerId);
    const parent = this.images.getImage(c.image);
    const history = [...(parent.config.history ?? []), { created_by: createdBy, ...(author ? { author } : {}) }];
    const top = { chainId: `layer-${this.commits.length}`, diffId: `layer-${this.commits.length}`, digest: `layer-${this.commits.length}`, size: 0 };
    const img = this.images.store({ config: { ...parent.config, config, history, author }, layers: [...parent.layers, top], parent: parent.id }, copyTree(c.files));
    this.commits.push({ container: containerId, config, createdBy, author, image: img.id });
    return img.id;
  }

  /** The container's output once it has exited (the fake's processes say everything at once). */
  async *followLogs(path: string, until: Promise<unknown>): AsyncIterable<{ stream: string; line: Buffer }> {
    await until;
    const id = path.replace(/^\/fake-logs\//, '');
    yield* this.containers.get(id).output;
  }
}
