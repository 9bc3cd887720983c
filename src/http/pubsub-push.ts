import type { Context } from 'hono';
import { z } from 'zod';
import { isRetryable } from '../domain/model/errors.js';
import { errorFields, type Logger } from '../observability/logger.js';
import { adoptTrace, currentTrace, newTrace, runWithTrace, traceFrom, type TraceContext } from '../observability/trace-context.js';
import type { PushAuthenticator } from './auth/push-oidc.js';
import { errorBody } from './errors.js';

// The Pub/Sub push request body. The emulator omits orderingKey and deliveryAttempt and sends
// both messageId and message_id, so those fields are optional.
const envelope = z.object({
  message: z.looseObject({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
    orderingKey: z.string().optional(),
  }),
  subscription: z.string().optional(),
  deliveryAttempt: z.number().optional(),
});

export interface PushDelivery<T> {
  messageId: string;
  event: T;
  attributes: Record<string, string>;
  orderingKey?: string;
  deliveryAttempt?: number;
}

/**
 * Authenticates a push request, decodes its envelope and runs `handle` inside the trace the
 * publisher put in the message attributes: 401 when unauthenticated (nothing is read), 204 acks,
 * a retryable failure answers 503 so Pub/Sub redelivers. A message whose data can never be
 * decoded is logged as failed and acked.
 */
export async function handlePush<T>(
  c: Context,
  schema: z.ZodType<T>,
  handle: (delivery: PushDelivery<T>) => Promise<unknown>,
  logger: Logger,
  auth: PushAuthenticator,
) {
  const rejected = await authenticate(c, auth, logger);
  if (rejected) return rejected;

  const parsed = envelope.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) return c.json(errorBody('invalid_envelope', 'body is not a Pub/Sub push envelope'), 400);
  const { message, deliveryAttempt } = parsed.data;
  const messageId = message.messageId ?? message.message_id ?? 'unknown';
  const attributes = message.attributes ?? {};

  const trace = messageTrace(attributes);
  adoptTrace(trace);
  return runWithTrace(trace, async () => {
    const event = schema.safeParse(decodeData(message.data));
    if (!event.success) {
      logger.error('pubsub message cannot be decoded; acknowledged as failed', { messageId, issues: event.error.issues.length });
      return c.body(null, 204);
    }
    try {
      await handle({
        messageId,
        event: event.data,
        attributes,
        ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
        ...(deliveryAttempt ? { deliveryAttempt } : {}),
      });
      return c.body(null, 204);
    } catch (error) {
      if (isRetryable(error)) {
        logger.warn('pubsub message nacked for redelivery', { messageId, deliveryAttempt, ...errorFields(error) });
        return c.json(errorBody('retry', 'processing failed; redeliver'), 503);
      }
      logger.error('pubsub message failed permanently; acknowledged', { messageId, ...errorFields(error) });
      return c.body(null, 204);
    }
  });
}

async function authenticate(c: Context, auth: PushAuthenticator, logger: Logger): Promise<Response | undefined> {
  try {
    const verdict = await auth.verify(c.req.header('authorization'));
    if (verdict.ok) return undefined;
    logger.warn('pubsub push rejected', { path: c.req.path, reason: verdict.reason });
    return c.json(errorBody('unauthorized', 'push request is not authenticated'), 401);
  } catch (error) {
    // The verification keys could not be obtained: a nack, so Pub/Sub redelivers later.
    logger.error('pubsub push not verified: verification keys unavailable', { path: c.req.path, ...errorFields(error) });
    return c.json(errorBody('auth_unavailable', 'push authentication is unavailable; redeliver'), 503);
  }
}

/** The publisher's trace from the attributes; the request's own trace when the message has none. */
function messageTrace(attributes: Record<string, string>): TraceContext {
  const carried = 'traceparent' in attributes || 'x-cloud-trace-context' in attributes;
  return carried ? traceFrom((name) => attributes[name]) : (currentTrace() ?? newTrace());
}

function decodeData(data: string | undefined): unknown {
  if (!data) return undefined;
  try {
    return JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
