import { Hono } from 'hono';
import type { Logger } from '../observability/logger.js';
import { errorBody, errorResponse } from './errors.js';
import { healthRoutes, type Readiness } from './health.js';
import { requestLog, traceRequests } from './request-log.js';
import { baselineSecureHeaders } from './webhook-ingress.js';

/** One Hono app for a role: trace context, secure headers, access log, health, the role's route groups, JSON 404/500. */
export function createApp(role: string, readiness: Readiness, logger: Logger, groups: Hono[]): Hono {
  const app = new Hono();
  app.use(traceRequests());
  // A baseline on every response; route groups with stricter headers (CSP of /api, /docs, /admin) keep theirs.
  app.use(baselineSecureHeaders());
  app.use(requestLog(logger));
  app.route('/', healthRoutes(role, readiness));
  for (const group of groups) app.route('/', group);
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => errorResponse(c, error, logger));
  return app;
}
