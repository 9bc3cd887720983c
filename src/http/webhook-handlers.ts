import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { verifyStandardWebhook } from '../adapters/webhook/standard-webhooks.js';
import { verifyWhatsAppSignature } from '../adapters/whatsapp/signature.js';
import { NotificationFormatError, parseWhatsAppNotification } from '../adapters/whatsapp/whatsapp-notification.js';
import type { Clock } from '../domain/ports/clock.js';
import type { AcceptApiMessage } from '../domain/use-cases/accept-api-message.js';
import type { AcceptWhatsAppNotification } from '../domain/use-cases/accept-whatsapp-notification.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics, WebhookOutcome } from '../observability/metrics.js';
import { errorAnswer, errorBody } from './errors.js';

export const MAX_NOTIFICATION_BYTES = 3 * 1024 * 1024;
export const MAX_API_BODY_BYTES = 64 * 1024;
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
  /** Counts each webhook POST by channel and outcome. */
  metrics?: Metrics;
}

/** A webhook POST as both entry points (the Hono route and the node:http ingress) hand it over. */
export interface WebhookRequest {
  header(name: string): string | undefined;
  /** The body's exact bytes, or null when it exceeds `limit` (nothing more is read then). */
  body(limit: number): Promise<Uint8Array | null>;
}

/** What to answer: `text` as text/plain, else `json` as application/json; `logFields` go on the access line. */
export interface WebhookAnswer {
  status: ContentfulStatusCode;
  text?: string;
  json?: unknown;
  logFields?: Record<string, unknown>;
}

export type WebhookChannel = 'whatsapp' | 'api';
export type WebhookHandlers = Record<WebhookChannel, (request: WebhookRequest) => Promise<WebhookAnswer>>;

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

const fail = (status: ContentfulStatusCode, ...error: Parameters<typeof errorBody>): WebhookAnswer => ({ status, json: errorBody(...error) });
const tooLarge = (limit: number) => fail(413, 'payload_too_large', `body exceeds ${limit} bytes`);

/**
 * Inbound webhooks without a framework: verify over the raw bytes, parse, publish, answer. No AI,
 * no database. Every outcome is an answer (an unexpected error a logged 500) and is counted.
 */
export function webhookHandlers(deps: ListenerDeps): WebhookHandlers {
  const counted = (channel: WebhookChannel, handle: (request: WebhookRequest) => Promise<WebhookAnswer>) => async (request: WebhookRequest) => {
    const answer = await handle(request).catch((error: unknown): WebhookAnswer => {
      const { status, body } = errorAnswer(error, `/webhooks/${channel}`, deps.logger);
      return { status, json: body };
    });
    if (deps.metrics?.enabled) deps.metrics.webhookHandled(channel, webhookOutcomeOf(answer.status));
    return answer;
  };
  return { whatsapp: counted('whatsapp', (request) => whatsapp(deps, request)), api: counted('api', (request) => api(deps, request)) };
}

async function whatsapp(deps: ListenerDeps, request: WebhookRequest): Promise<WebhookAnswer> {
  if (!deps.whatsapp) return fail(503, 'channel_not_configured', 'WhatsApp is not configured');
  const raw = await request.body(MAX_NOTIFICATION_BYTES);
  if (!raw) return tooLarge(MAX_NOTIFICATION_BYTES);
  if (!verifyWhatsAppSignature(raw, request.header('x-hub-signature-256'), deps.whatsapp.appSecret)) {
    return fail(401, 'invalid_signature', 'X-Hub-Signature-256 is missing or wrong');
  }
  let input;
  try {
    input = parseWhatsAppNotification(JSON.parse(utf8.decode(raw)), deps.clock.now());
  } catch (error) {
    return fail(400, 'invalid_notification', error instanceof NotificationFormatError ? error.message : 'body is not JSON');
  }
  const { published } = await deps.acceptWhatsApp.execute(input);
  if (input.skipped.length > 0) {
    // Where and why only (never content); a few examples, the count says how many.
    deps.logger.warn('whatsapp notification items skipped', { skipped: input.skipped.length, items: input.skipped.slice(0, MAX_SKIPPED_LOGGED) });
  }
  // Said on the request's own access line: one line per webhook (and one warning when items were skipped).
  return { status: 200, text: 'EVENT_RECEIVED', logFields: { messages: input.messages.length, statuses: input.statuses.length, published, skipped: input.skipped.length } };
}

async function api(deps: ListenerDeps, request: WebhookRequest): Promise<WebhookAnswer> {
  if (!deps.apiWebhookSecret) return fail(503, 'channel_not_configured', 'the API channel is not configured');
  const raw = await request.body(MAX_API_BODY_BYTES);
  if (!raw) return tooLarge(MAX_API_BODY_BYTES);
  const verified = verifyStandardWebhook(
    deps.apiWebhookSecret,
    { id: request.header('webhook-id'), timestamp: request.header('webhook-timestamp'), signature: request.header('webhook-signature') },
    raw,
    Math.floor(deps.clock.now() / 1000),
  );
  if (!verified.ok) return fail(401, 'invalid_signature', verified.reason);
  let body;
  try {
    body = apiBody.safeParse(JSON.parse(utf8.decode(raw)));
  } catch {
    return fail(400, 'validation_failed', 'body is not JSON');
  }
  if (!body.success) {
    return fail(400, 'validation_failed', body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  const accepted = await deps.acceptApi.execute({ ...stripUndefined(body.data), webhookId: verified.id, accountId: deps.apiAccountId });
  return { status: 202, json: accepted };
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
