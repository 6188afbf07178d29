import { ConflictError } from '../../common/errors.js';
import type { Router } from '../router.js';

/** What the console routes need: a minter of sign-in links, absent while the console is off. */
export interface ConsoleBackend {
  mintLink?(role: 'admin' | 'readonly'): { Link: string; Token: string; Expires: string };
}

export function registerConsoleRoutes(router: Router, b: ConsoleBackend): void {
  // Only who can reach the API socket (root and the berth group) can sign in to the console.
  router.post('/berth/v1/console/token', (ctx) => {
    if (!b.mintLink) {
      throw new ConflictError('the web console is off: set "console": {"listen": "127.0.0.1:2380"} in /etc/berth/daemon.json and restart berthd');
    }
    const readonly = ['1', 'true'].includes(ctx.query.get('readonly') ?? '');
    return b.mintLink(readonly ? 'readonly' : 'admin');
  });
}
