import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../observability/logger.js';

/**
 * One access log line per request in Cloud Logging's `httpRequest` shape. The URL is logged
 * without its query string: the WhatsApp handshake carries the verify token there.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    if (c.req.path === '/healthz') return;
    logger.info(`${c.req.method} ${c.req.path} ${c.res.status}`, {
      httpRequest: {
        requestMethod: c.req.method,
        requestUrl: c.req.path,
        status: c.res.status,
        latency: `${seconds.toFixed(6)}s`,
        userAgent: c.req.header('user-agent'),
      },
    });
  };
}
