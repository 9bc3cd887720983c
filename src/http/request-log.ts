import type { Context, MiddlewareHandler } from 'hono';

const LOG_FIELDS = 'vocoeng.logFields';

/** Fields a handler adds to its request's access log line (instead of writing a line of its own). */
export function addLogFields(c: Context, fields: Record<string, unknown>): void {
  const current = (c.get(LOG_FIELDS as never) as Record<string, unknown> | undefined) ?? {};
  c.set(LOG_FIELDS as never, { ...current, ...fields } as never);
}
import { logAccess } from '../observability/access-log.js';
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
    if (c.req.path === '/healthz') return;
    writeAccessLine(logger, {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      started,
      userAgent: c.req.header('user-agent'),
      fields: c.get(LOG_FIELDS as never) as Record<string, unknown> | undefined,
    });
  };
}

/** A finished request, as both entry points (Hono and the webhook ingress) describe it. */
export interface FinishedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  status: number;
  /** `performance.now()` when the request arrived. */
  started: number;
  userAgent: string | undefined;
  fields?: Record<string, unknown> | undefined;
}

export function writeAccessLine(logger: Logger, request: FinishedRequest): void {
  const seconds = (performance.now() - request.started) / 1000;
  logAccess(logger, {
    message: `${request.method} ${request.path} ${request.status}`,
    httpRequest: {
      requestMethod: request.method,
      requestUrl: request.path,
      status: request.status,
      latency: `${seconds.toFixed(6)}s`,
      userAgent: request.userAgent,
    },
    fields: request.fields,
  });
}
