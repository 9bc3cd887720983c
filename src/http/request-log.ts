import type { Context, MiddlewareHandler } from 'hono';

const LOG_FIELDS = 'vocoeng.logFields';

/** Fields a handler adds to its request's access log line (instead of writing a line of its own). */
export function addLogFields(c: Context, fields: Record<string, unknown>): void {
  const current = (c.get(LOG_FIELDS as never) as Record<string, unknown> | undefined) ?? {};
  c.set(LOG_FIELDS as never, { ...current, ...fields } as never);
}
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
      ...(c.get(LOG_FIELDS as never) as Record<string, unknown> | undefined),
    });
  };
}
