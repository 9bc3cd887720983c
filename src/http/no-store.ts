import type { MiddlewareHandler } from 'hono';

/**
 * `Cache-Control: no-store` on every response of the routes it guards (data and pages alike),
 * unless the handler chose its own caching (static assets).
 */
export const noStore = (): MiddlewareHandler => async (c, next) => {
  await next();
  if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
};
