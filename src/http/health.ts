import { Hono } from 'hono';

export interface Readiness {
  ready: boolean;
  /** Aborted when the process stops taking work (SIGTERM): waits inside requests end at once. */
  readonly draining?: AbortController;
}

/** `GET /healthz`: 200 once the role is ready, 503 while starting or draining. */
export function healthRoutes(role: string, readiness: Readiness): Hono {
  const app = new Hono();
  app.get('/healthz', (c) =>
    readiness.ready ? c.json({ status: 'ok', role }) : c.json({ status: 'unavailable', role }, 503),
  );
  return app;
}
