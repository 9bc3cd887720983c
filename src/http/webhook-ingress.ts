import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { errorFields, type Logger } from '../observability/logger.js';
import { runWithTrace, traceFrom } from '../observability/trace-context.js';
import { readIncomingBody } from './raw-body.js';
import { writeAccessLine } from './request-log.js';
import type { WebhookChannel, WebhookHandlers } from './webhook-handlers.js';

/** The headers every response of a role carries (`createApp` installs the same middleware). */
export const baselineSecureHeaders = () => secureHeaders({ overwrite: false });

const CHANNEL_OF_PATH: Record<string, WebhookChannel> = { '/webhooks/whatsapp': 'whatsapp', '/webhooks/api': 'api' };

/**
 * The listener's hot path on node:http: `POST /webhooks/whatsapp` and `/webhooks/api` go straight
 * to their handlers, with what `createApp` gives every request (trace context, secure headers,
 * the access line); every other request goes to `fallback`, the role's Hono app. The same
 * handlers serve the Hono routes, and the listener suite runs through both (tested equal).
 * Measured: Hono's Request/Response and middleware chain cost about a fifth of the listener's
 * throughput, more than the 10 % its goal leaves (bench/listener.ts).
 */
export async function webhookIngress(webhooks: WebhookHandlers, logger: Logger, fallback: RequestListener): Promise<RequestListener> {
  const headers = await secureHeadersOf();
  return (req, res) => {
    const path = pathOf(req.url);
    const channel = req.method === 'POST' ? CHANNEL_OF_PATH[path] : undefined;
    if (!channel) return fallback(req, res);
    serveWebhook(webhooks[channel], path, req, res, headers, logger).catch((error: unknown) => {
      logger.error('unexpected error', { path, ...errorFields(error) });
      res.destroy();
    });
  };
}

function serveWebhook(handle: WebhookHandlers[WebhookChannel], path: string, req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders, logger: Logger): Promise<void> {
  const started = performance.now();
  const header = (name: string) => headerOf(req, name);
  return runWithTrace(traceFrom(header), async () => {
    const answer = await handle({ header, body: (limit) => readIncomingBody(req, limit) });
    const body = answer.text ?? JSON.stringify(answer.json);
    const contentType = answer.text !== undefined ? 'text/plain; charset=UTF-8' : 'application/json';
    res.writeHead(answer.status, { 'content-type': contentType, ...headers, 'content-length': Buffer.byteLength(body) }).end(body);
    writeAccessLine(logger, { method: 'POST', path, status: answer.status, started, userAgent: header('user-agent'), fields: answer.logFields });
  });
}

/** The request's path without its query string (Hono's `c.req.path`). */
function pathOf(url = '/'): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** As Hono's `c.req.header`: repeated headers joined with `, `. */
function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The baseline secure headers, as the middleware sets them on a response that has none of its own. */
async function secureHeadersOf(): Promise<OutgoingHttpHeaders> {
  const probe = new Hono().use(baselineSecureHeaders()).get('/', (c) => c.body(null, 204));
  const response = await probe.request('/');
  return Object.fromEntries(response.headers.entries());
}
