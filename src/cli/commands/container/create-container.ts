import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { ApiError } from '../../../client/api-client.js';
import type { CliEnv } from '../../cli-env.js';
import type { CreateRequest } from './create-request.js';
import { pullImage, withDefaultTag } from './image-pull.js';

// POST /containers/create as the docker CLI drives it: --pull policy, "Unable to find image"
// then pull and retry, warnings on stderr, the --cidfile written.

export type PullPolicy = 'missing' | 'always' | 'never';

export function parsePullPolicy(value: string | undefined): PullPolicy {
  const v = value || 'missing';
  if (v !== 'missing' && v !== 'always' && v !== 'never') {
    throw new Error(`invalid pull option: '${v}': must be one of "always", "missing" or "never"`);
  }
  return v;
}

export async function createContainer(e: CliEnv, req: CreateRequest, pull: PullPolicy, quiet: boolean): Promise<string> {
  const image = String(req.body.Image);
  const cidfile = String(req.body.HostConfig?.ContainerIDFile ?? '');
  const cidFd = cidfile ? openCidFile(cidfile) : undefined;
  try {
    const create = () => e.client().containers.create(req.body, { name: req.name, platform: req.platform });
    if (pull === 'always') await pullImage(e, image, { platform: req.platform, quiet });
    let res;
    try {
      res = await create();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404 || !/No such image/i.test(err.message) || pull !== 'missing') throw err;
      e.err.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
      await pullImage(e, image, { platform: req.platform, quiet });
      res = await create();
    }
    for (const w of res.Warnings ?? []) e.err.write(`WARNING: ${w}\n`);
    if (cidFd !== undefined) writeSync(cidFd, res.Id);
    return res.Id;
  } catch (err) {
    if (cidFd !== undefined) unlinkSync(cidfile);
    throw err;
  } finally {
    if (cidFd !== undefined) closeSync(cidFd);
  }
}

function openCidFile(path: string): number {
  try {
    return openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`container ID file found, make sure the other container isn't running or delete ${path}`);
    }
    throw new Error(`failed to create the container ID file: ${(err as Error).message}`);
  }
}
