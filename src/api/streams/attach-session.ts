import type { Logger } from '../../common/logger.js';
import type { ContainerAttachBackend } from '../routes/container-backend.js';
import { streamErrorMessage } from '../error-status.js';
import { pipeAttach, type AttachStreams } from './attach-proxy.js';
import type { HijackedStream } from './hijack.js';

/** An attach once its connection is open: the logged lines first when asked, then the live stdio. */
export async function runAttach(
  h: HijackedStream,
  b: ContainerAttachBackend,
  id: string,
  o: AttachStreams & { logs: boolean; stream: boolean },
  logger: Logger,
): Promise<void> {
  if (o.logs) {
    for await (const e of b.attachLogs(id)) {
      if ((e.stream === 'stdout' && o.stdout) || (e.stream === 'stderr' && o.stderr)) h.write(e.stream === 'stdout' ? 1 : 2, e.line);
    }
  }
  if (!o.stream) return h.end();
  let closedEarly = false;
  h.onClose(() => {
    closedEarly = true;
    b.cancelPendingAttach(id);
  });
  let a;
  try {
    a = await b.attach(id, { stdin: o.stdin });
  } catch (err) {
    if (!closedEarly) h.write(3, Buffer.from(`${streamErrorMessage(err, logger)}\n`));
    return h.end();
  }
  if (closedEarly) return a.close();
  await pipeAttach(a, h, o);
  h.end();
}
