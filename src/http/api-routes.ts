import { Hono } from 'hono';
import { interactionEventSchema } from '../adapters/codec/event-schemas.js';
import { CHANNELS, type Channel } from '../domain/model/ids.js';
import { ValidationError } from '../domain/model/errors.js';
import type { MessageRecord } from '../domain/model/message-record.js';
import type { GetTranscript } from '../domain/use-cases/get-transcript.js';
import type { QueryAnalytics } from '../domain/use-cases/query-analytics.js';
import type { RecordInteraction } from '../domain/use-cases/record-interaction.js';
import { textOf } from '../domain/model/message.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Logger } from '../observability/logger.js';
import type { ApiKeyVerifier } from './auth/api-keys.js';
import type { PushAuthenticator } from './auth/push-oidc.js';
import { requireScope, type AuthVariables } from './auth/bearer.js';
import { errorResponse } from './errors.js';
import { handlePush } from './pubsub-push.js';

export interface ApiDeps {
  queryAnalytics: QueryAnalytics;
  getTranscript: GetTranscript;
  recordInteraction: RecordInteraction;
  apiKeys: ApiKeyVerifier;
  clock: Clock;
  logger: Logger;
  /**
   * Checks the push OIDC token of the interactions push. Optional only until the composition root
   * passes it; absent means every push is accepted (as `AllowAllPushAuthenticator`).
   */
  pushAuth: PushAuthenticator;
}

const DAY_MS = 24 * 3600 * 1000;

/** The analytics JSON API (Bearer API keys) and the analytics ingestion push endpoint. */
export function apiRoutes(deps: ApiDeps): Hono {
  const app = new Hono<{ Variables: AuthVariables }>();
  const read = requireScope(deps.apiKeys, 'analytics:read');
  app.onError((error, c) => errorResponse(c, error, deps.logger));

  app.get('/api/v1/analytics/summary', read, async (c) => {
    const summary = await deps.queryAnalytics.summary(rangeOf(c.req.query(), deps.clock.now()));
    return c.json(summary);
  });

  app.get('/api/v1/conversations', read, async (c) => {
    const query = c.req.query();
    const limit = query.limit === undefined ? 50 : Number(query.limit);
    const page = await deps.queryAnalytics.conversations({
      ...rangeOf(query, deps.clock.now()),
      limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return c.json({
      items: page.items.map((item) => ({ ...item, firstMessageAt: iso(item.firstMessageAt), lastMessageAt: iso(item.lastMessageAt) })),
      nextCursor: page.nextCursor,
    });
  });

  app.get('/api/v1/conversations/:id/messages', read, async (c) => {
    const { conversation, messages, truncated } = await deps.getTranscript.execute(c.req.param('id'));
    return c.json({
      conversation: { ...conversation, createdAt: iso(conversation.createdAt), lastMessageAt: iso(conversation.lastMessageAt) },
      messages: messages.map(transcriptEntry),
      truncated,
    });
  });

  app.post('/internal/pubsub/interactions', (c) =>
    handlePush(
      c,
      interactionEventSchema,
      async ({ messageId, event }) => {
        const result = await deps.recordInteraction.execute(event);
        deps.logger.info('interaction recorded', { messageId, eventId: event.eventId, type: event.type, result });
      },
      deps.logger,
      deps.pushAuth,
    ),
  );

  return app as unknown as Hono;
}

function transcriptEntry(record: MessageRecord) {
  const { message, reply } = record;
  return {
    id: message.id,
    type: message.content.type,
    text: textOf(message.content) ?? null,
    transcript: record.transcript ?? null,
    content: message.content,
    sentAt: iso(message.sentAt),
    receivedAt: iso(message.receivedAt),
    state: record.state,
    reply: reply
      ? { text: reply.text, kind: reply.kind, model: reply.model ?? null, usage: reply.usage, costUsd: reply.costUsd, latencyMs: reply.latencyMs, createdAt: iso(reply.createdAt) }
      : null,
    outboundIds: record.outboundIds,
    delivery: record.delivery ? { ...record.delivery, at: iso(record.delivery.at) } : null,
    failure: record.failure ?? null,
    note: record.note ?? null,
  };
}

/** `from`/`to` as ISO 8601 or epoch ms; defaults to the last 30 days. */
function rangeOf(query: Record<string, string>, now: number): { from: number; to: number; channel?: Channel } {
  const to = query.to ? parseTime(query.to, 'to') : now;
  const from = query.from ? parseTime(query.from, 'from') : to - 30 * DAY_MS;
  if (query.channel && !CHANNELS.includes(query.channel as Channel)) {
    throw new ValidationError(`channel must be one of ${CHANNELS.join(', ')}`);
  }
  return { from, to, ...(query.channel ? { channel: query.channel as Channel } : {}) };
}

function parseTime(value: string, name: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ValidationError(`${name} must be an ISO 8601 time or epoch milliseconds`);
  return ms;
}

const iso = (ms: number): string => new Date(ms).toISOString();
