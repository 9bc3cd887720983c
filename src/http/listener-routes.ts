import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { readRawBody } from './raw-body.js';
import { addLogFields } from './request-log.js';
import { z } from 'zod';
import { NotificationFormatError, parseWhatsAppNotification } from '../adapters/whatsapp/whatsapp-notification.js';
import { verifyWhatsAppSignature } from '../adapters/whatsapp/signature.js';
import { verifyStandardWebhook } from '../adapters/webhook/standard-webhooks.js';
import type { Clock } from '../domain/ports/clock.js';
import type { AcceptApiMessage } from '../domain/use-cases/accept-api-message.js';
import type { AcceptWhatsAppNotification } from '../domain/use-cases/accept-whatsapp-notification.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics, WebhookOutcome } from '../observability/metrics.js';
import { errorBody, errorResponse } from './errors.js';

export const MAX_NOTIFICATION_BYTES = 3 * 1024 * 1024;
const MAX_API_BODY_BYTES = 64 * 1024;
/** Skipped items of one notification that are logged one by one (a batch holds up to 1,000). */
const MAX_SKIPPED_LOGGED = 10;

export interface ListenerDeps {
  acceptWhatsApp: AcceptWhatsAppNotification;
  acceptApi: AcceptApiMessage;
  whatsapp?: { appSecret: string; verifyToken: string };
  apiWebhookSecret?: string;
  /** The account id API-channel messages are filed under. */
  apiAccountId: string;
  clock: Clock;
  logger: Logger;
  /** Counts each webhook POST by channel and outcome; absent or disabled, no middleware is installed. */
  metrics?: Metrics;
}

// Strict: a field the inbound schema does not know is refused, so a body of another kind (one of
// our own callbacks posted back, a misspelt field) is never taken for a message. `metadata` is the
// client's own free-form map.
const apiBody = z.strictObject({
  conversationId: z.string().optional(),
  userId: z.string(),
  text: z.string(),
  metadata: z.record(z.string(), z.string()).optional(),
  callbackUrl: z.string().optional(),
});

// Not streaming, so stateless: one decoder for every request (a new one per request was measurable).
const utf8 = new TextDecoder();

const tooLarge = (c: Context, limit: number) => c.json(errorBody('payload_too_large', `body exceeds ${limit} bytes`), 413);

/** Inbound webhooks: verify over the raw bytes, parse, publish, answer. No AI, no database. */
export function listenerRoutes(deps: ListenerDeps): Hono {
  const app = new Hono();
  const { metrics } = deps;
  if (metrics?.enabled) {
    for (const channel of ['whatsapp', 'api'] as const) {
      app.post(`/webhooks/${channel}`, async (c, next) => {
        await next();
        metrics.webhookHandled(channel, webhookOutcomeOf(c.res.status));
      });
    }
  }

  app.get('/webhooks/whatsapp', (c) => {
    if (!deps.whatsapp) return c.json(errorBody('channel_not_configured', 'WhatsApp is not configured'), 503);
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token');
    const challenge = c.req.query('hub.challenge');
    if (mode === 'subscribe' && token !== undefined && safeEqual(token, deps.whatsapp.verifyToken) && challenge !== undefined) {
      return c.text(challenge, 200);
    }
    return c.json(errorBody('forbidden', 'verification token mismatch'), 403);
  });

  app.post('/webhooks/whatsapp', async (c) => {
    if (!deps.whatsapp) return c.json(errorBody('channel_not_configured', 'WhatsApp is not configured'), 503);
    const raw = await readRawBody(c, MAX_NOTIFICATION_BYTES);
    if (!raw) return tooLarge(c, MAX_NOTIFICATION_BYTES);
    if (!verifyWhatsAppSignature(raw, c.req.header('x-hub-signature-256'), deps.whatsapp.appSecret)) {
      return c.json(errorBody('invalid_signature', 'X-Hub-Signature-256 is missing or wrong'), 401);
    }
    let input;
    try {
      input = parseWhatsAppNotification(JSON.parse(utf8.decode(raw)), deps.clock.now());
    } catch (error) {
      const reason = error instanceof NotificationFormatError ? error.message : 'body is not JSON';
      return c.json(errorBody('invalid_notification', reason), 400);
    }
    try {
      const { published } = await deps.acceptWhatsApp.execute(input);
      // Said on the request's own access log line: one log line per webhook (and one warning when items were skipped).
      addLogFields(c, { messages: input.messages.length, statuses: input.statuses.length, published, skipped: input.skipped.length });
      if (input.skipped.length > 0) {
        // Where and why only (never content); a few examples, the count says how many.
        deps.logger.warn('whatsapp notification items skipped', { skipped: input.skipped.length, items: input.skipped.slice(0, MAX_SKIPPED_LOGGED) });
      }
      return c.text('EVENT_RECEIVED', 200);
    } catch (error) {
      return errorResponse(c, error, deps.logger);
    }
  });

  app.post('/webhooks/api', async (c) => {
    if (!deps.apiWebhookSecret) return c.json(errorBody('channel_not_configured', 'the API channel is not configured'), 503);
    const raw = await readRawBody(c, MAX_API_BODY_BYTES);
    if (!raw) return tooLarge(c, MAX_API_BODY_BYTES);
    const verified = verifyStandardWebhook(
      deps.apiWebhookSecret,
      { id: c.req.header('webhook-id'), timestamp: c.req.header('webhook-timestamp'), signature: c.req.header('webhook-signature') },
      raw,
      Math.floor(deps.clock.now() / 1000),
    );
    if (!verified.ok) return c.json(errorBody('invalid_signature', verified.reason), 401);
    let body;
    try {
      body = apiBody.safeParse(JSON.parse(utf8.decode(raw)));
    } catch {
      return c.json(errorBody('validation_failed', 'body is not JSON'), 400);
    }
    if (!body.success) {
      const detail = body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      return c.json(errorBody('validation_failed', detail), 400);
    }
    try {
      const accepted = await deps.acceptApi.execute({ ...stripUndefined(body.data), webhookId: verified.id, accountId: deps.apiAccountId });
      return c.json(accepted, 202);
    } catch (error) {
      return errorResponse(c, error, deps.logger);
    }
  });

  return app;
}

/** The answer Meta or the client got, folded into a handful of outcomes. */
function webhookOutcomeOf(status: number): WebhookOutcome {
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 503) return 'unavailable';
  return status >= 400 && status < 500 ? 'invalid' : 'error';
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
