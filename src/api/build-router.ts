import { Router } from './router.js';
import { registerSystemRoutes, type SystemBackend } from './routes/system.js';

/** The backends each route group needs; the daemon passes its services. */
export interface ApiBackends {
  system: SystemBackend;
}

/** The whole route table. Specific paths are registered before `{name:.*}` catch-alls. */
export function buildRouter(b: ApiBackends): Router {
  const router = new Router();
  registerSystemRoutes(router, b.system);
  return router;
}
