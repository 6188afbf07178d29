import { runBuild } from './build-loop.js';
import type { BuilderDeps, BuildMessage, BuildOptions } from './build-types.js';

// The builder's facade: the daemon constructs it with its services and builds from an extracted
// context. The loop is build-loop.ts, the instructions' handlers dispatch-*.ts.

export { BuildError, type BuilderArchive, type BuilderContainers, type BuilderDeps, type BuilderImages, type BuildMessage, type BuildOptions } from './build-types.js';
export { goDuration } from './go-format.js';

export class ImageBuilder {
  constructor(private readonly d: BuilderDeps) {}

  /**
   * Builds from a context directory (already extracted). Messages go to `emit` as they come;
   * returns the final image id. Failures inside a step throw BuildError with Docker's wording.
   */
  build(context: string, o: BuildOptions, emit: (m: BuildMessage) => void): Promise<string> {
    return runBuild(this.d, context, o, emit);
  }
}
