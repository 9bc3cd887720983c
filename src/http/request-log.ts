import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../observability/logger.js';
import { runWithTrace, traceFrom } from '../observability/trace-context.js';

/**
 * Runs the rest of the request inside its trace context, so the access log line and every log
 * written while handling it carry the trace: from `traceparent`, else `X-Cloud-Trace-Context`,
 * else a new trace. On Cloud Run both headers carry the span Cloud Run created for this request.
 */
export function traceRequests(): MiddlewareHandler {
  return (c, next) => runWithTrace(traceFrom((name) => c.req.header(name)), () => next());
}

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
