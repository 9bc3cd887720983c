import { AgentReplyBody, Handoff } from './handoff-schemas.js';
import { ToolCallBody } from './tool-call-schemas.js';
import { z } from '@hono/zod-openapi';
import { TIMESERIES_METRICS } from '../../domain/model/analytics.js';
import { DELIVERY_STATES } from '../../domain/model/delivery-status.js';
import { CHANNELS } from '../../domain/model/ids.js';
import { CONVERSATION_MODES } from '../../domain/model/interaction.js';
import { MESSAGE_STATES } from '../../domain/model/message-record.js';
import { REPLY_KINDS } from '../../domain/model/reply.js';
import { startOfLocalDate, TIME_ZONE_MESSAGE, timeZoneOf } from '../../domain/model/time-zone.js';
import { MAX_PAGE_SIZE } from '../../domain/use-cases/query-analytics.js';

/** ISO 8601 or epoch milliseconds, as the analytics team writes times in URLs. */
const time = (name: 'from' | 'to', description: string) =>
  z
    .string()
    .max(40)
    .refine((value) => Number.isFinite(parseTime(value)), `${name} must be an ISO 8601 time or epoch milliseconds`)
    .optional()
    .openapi({ param: { name, in: 'query' }, description, example: name === 'from' ? '2026-11-01T00:00:00Z' : '2026-11-25T00:00:00Z' });

/** As `time`; with a (valid) `timeZone`, a date alone (`2026-11-01`) is that zone's local midnight, not UTC's. */
export function parseTime(value: string, timeZone?: string): number {
  const date = timeZone === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date && Number.isFinite(Date.parse(value))) return startOfLocalDate(timeZone!, Number(date[1]), Number(date[2]), Number(date[3]));
  return /^\d{1,15}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
}

const channel = z.enum(CHANNELS).optional().openapi({ param: { name: 'channel', in: 'query' }, description: 'Only this channel' });

const tz = z
  .string()
  .max(64, TIME_ZONE_MESSAGE)
  .refine((value) => timeZoneOf(value) !== undefined, TIME_ZONE_MESSAGE)
  .optional()
  .openapi({
    param: { name: 'tz', in: 'query' },
    description:
      'An IANA time zone: a date alone in `from`/`to` (`2026-11-01`) is its local midnight, and a timeseries counts its local days and hours (a day is 23 or 25 hours long when the clocks change). Default UTC',
    example: 'Europe/Berlin',
  });

export const RangeQuery = z.object({
  from: time('from', 'Start (inclusive); default 30 days before `to`. A date alone is midnight in `tz`'),
  to: time('to', 'End (exclusive); default now. A date alone is midnight in `tz`'),
  channel,
  tz,
});

export const SummaryQuery = RangeQuery.extend({
  include: z
    .enum(['conversationCosts'])
    .optional()
    .openapi({ param: { name: 'include', in: 'query' }, description: '`conversationCosts` adds `costPerConversationUsd` (it regroups the range by conversation: about 130 ms at a million facts)' }),
});

export const TimeseriesQuery = RangeQuery.extend({
  metric: z.enum(TIMESERIES_METRICS).openapi({ param: { name: 'metric', in: 'query' }, example: 'messagesIn' }),
  interval: z.enum(['hour', 'day']).default('day').openapi({ param: { name: 'interval', in: 'query' } }),
});

/** A page's size: the lists and the transcript alike. */
const pageLimit = z.coerce
  .number({ error: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` })
  .int(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  .min(1, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  .max(MAX_PAGE_SIZE, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
  .default(50)
  .openapi({ param: { name: 'limit', in: 'query' }, example: 50 });

export const ConversationsQuery = RangeQuery.extend({
  mode: z.enum(CONVERSATION_MODES).optional().openapi({ param: { name: 'mode', in: 'query' }, description: 'Only conversations in this mode at the range\'s end' }),
  outcome: z
    .enum(DELIVERY_STATES)
    .optional()
    .openapi({ param: { name: 'outcome', in: 'query' }, description: 'Only conversations whose last reported delivery ended so (`lastDelivery`)' }),
  q: z
    .string()
    .trim()
    .min(1, 'q must not be empty')
    .max(64, 'q must be at most 64 characters')
    .optional()
    .openapi({ param: { name: 'q', in: 'query' }, description: 'Search: part of the masked participant (e.g. `4567` or `+49 170`) or of the profile name, any case, spaces ignored', example: '4567' }),
  cursor: z.string().min(1).max(512).optional().openapi({ param: { name: 'cursor', in: 'query' }, description: 'The `nextCursor` of the previous page' }),
  limit: pageLimit,
});

export const ExportQuery = RangeQuery.extend({
  participant: z
    .enum(['masked', 'full'])
    .default('masked')
    .openapi({
      param: { name: 'participant', in: 'query' },
      description: "`full` adds a `participant_id` column with each participant's whole number or user id, read from the chat store: an API key with the `admin` scope only, and logged",
    }),
});

export const ConversationIdParam = z.object({
  id: z
    .string()
    .regex(/^[\w.-]{1,128}$/, 'id must be a conversation id')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'c_0123456789abcdef0123456789abcdef01234567' }),
});

export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .openapi('Error');

const CostBreakdown = z
  .object({
    aiUsd: z.number().openapi({ description: "The model's tokens at the model's price" }),
    whatsappUsd: z.number().openapi({ description: "What WhatsApp charged for delivered messages (templates outside the service window), priced from the operator's rate card by category and the recipient's market" }),
  })
  .openapi('CostBreakdown');

export const Summary = z
  .object({
    conversations: z.number().int(),
    messagesIn: z.number().int(),
    messagesOut: z.number().int(),
    uniqueUsers: z.number().int(),
    replyLatencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
    tokens: z.object({ prompt: z.number().int(), completion: z.number().int() }),
    costUsd: z.number().openapi({ description: 'AI plus WhatsApp' }),
    costBreakdown: CostBreakdown,
    costPerConversationUsd: z
      .object({ p50: z.number().nullable(), p95: z.number().nullable() })
      .optional()
      .openapi({ description: 'With `include=conversationCosts`: what one conversation with a message in the range cost there (AI plus WhatsApp), nearest-rank percentiles, null when none' }),
    failures: z.object({ total: z.number().int(), byReason: z.record(z.string(), z.number().int()).openapi({ description: 'Failures counted by their snake_case reason, e.g. `outside_service_window`' }) }),
    agentReplies: z
      .object({
        total: z.number().int(),
        sent: z.number().int(),
        failed: z.number().int(),
        unknown: z.number().int().openapi({ description: 'Sends whose answer was lost: the reply may have reached the person, and is never resent' }),
      })
      .openapi({ description: 'Replies people wrote in conversations they took over (human handoff), by how their send ended, counted when it ended in the range' }),
    toolCalls: z
      .object({
        total: z.number().int(),
        ok: z.number().int(),
        failed: z.number().int(),
        unknown: z.number().int().openapi({ description: 'Calls whose answer was lost: the request may have reached the tool, and is never repeated' }),
        invalid: z.number().int().openapi({ description: 'Calls never made: no such tool, arguments that do not fit its schema, or over the round\'s call limit' }),
        latencyMs: z
          .object({ p50: z.number(), p95: z.number() })
          .openapi({ description: 'Nearest-rank percentiles over the calls made (those with a latency), from the request leaving to its answer; 0 when none' }),
      })
      .openapi({ description: 'The HTTP tools the model called while composing replies, by how each call ended, counted when it happened in the range' }),
  })
  .openapi('Summary');

export const Timeseries = z
  .object({
    metric: z.enum(TIMESERIES_METRICS),
    interval: z.enum(['hour', 'day']),
    tz: z.string().openapi({ description: 'The time zone whose local hours or days the points are (`UTC` when not asked)', example: 'Europe/Berlin' }),
    from: z.string().openapi({ description: '`from` rounded down to the interval (in `tz`)' }),
    to: z.string().openapi({ description: '`to` rounded up to the interval (in `tz`)' }),
    points: z.array(z.object({ at: z.string().openapi({ description: 'The start of the bucket (a local midnight or hour in `tz`), as a UTC instant' }), value: z.number().nullable() })),
  })
  .openapi('Timeseries');

const ConversationItem = z
  .object({
    id: z.string(),
    channel: z.enum(CHANNELS),
    accountId: z.string(),
    participant: z.string().nullable().openapi({ description: 'Masked, e.g. `+49 170 •••• 4567`: the whole number never leaves the chat store', example: '+49 170 •••• 4567' }),
    profileName: z.string().nullable().openapi({ description: "The participant's WhatsApp profile name, when given" }),
    lastDelivery: z.enum(DELIVERY_STATES).nullable().openapi({ description: "How the conversation's last reported delivery ended (sent, delivered, read, played, failed)" }),
    mode: z.enum(CONVERSATION_MODES).openapi({ description: 'Who answered it at the range\'s end: `bot`, or `human` when a person took it over' }),
    firstMessageAt: z.string(),
    lastMessageAt: z.string(),
    messagesIn: z.number().int(),
    messagesOut: z.number().int(),
    tokens: z.object({ prompt: z.number().int(), completion: z.number().int() }),
    agentReplies: z.number().int().openapi({ description: 'Replies people wrote in it (human handoff) whose send ended in the range, whatever the outcome' }),
    toolCalls: z.number().int().openapi({ description: 'The tools the model called in it in the range, whatever the outcome' }),
    costUsd: z.number().openapi({ description: 'AI plus WhatsApp, for the activity in the range' }),
    costBreakdown: CostBreakdown,
  })
  .openapi('ConversationSummary');

export const ConversationPage = z.object({ items: z.array(ConversationItem), nextCursor: z.string().nullable() }).openapi('ConversationPage');

const Usage = z.object({ prompt: z.number().int(), completion: z.number().int() });

export const Transcript = z
  .object({
    conversation: z.looseObject({ id: z.string(), channel: z.string(), accountId: z.string(), createdAt: z.string(), lastMessageAt: z.string(), messageCount: z.number().int(), handoff: Handoff }),
    messages: z.array(
      z.object({
        id: z.string(),
        role: z.literal('user').openapi({ description: 'Who wrote it: the customer (each entry), the bot (its `reply`); tools the bot called are in `toolCalls`, people who took over in `agentReplies`' }),
        type: z.string(),
        text: z.string().nullable(),
        transcript: z.string().nullable(),
        content: z.looseObject({ type: z.string() }),
        sentAt: z.string(),
        receivedAt: z.string(),
        state: z.enum(MESSAGE_STATES),
        toolCalls: z.array(ToolCallBody).openapi({ description: 'The tools the model called for this message, in order (role `tool`): after the message, before its `reply`' }),
        reply: z
          .object({ role: z.literal('assistant'), text: z.string(), kind: z.enum(REPLY_KINDS), model: z.string().nullable(), usage: Usage, costUsd: z.number(), latencyMs: z.number(), createdAt: z.string() })
          .nullable(),
        outboundIds: z.array(z.string()),
        delivery: z.looseObject({ status: z.string(), at: z.string() }).nullable(),
        failure: z.looseObject({}).nullable(),
        note: z.string().nullable().openapi({ description: 'Why nothing was answered (skipped), not sent (unsent), or the limit reply went out' }),
        foldedInto: z.string().nullable().openapi({ description: 'The message whose reply also answered this one (a burst answered at once)' }),
        templateFallback: z.string().nullable().openapi({ description: 'The window template sent instead of a reply refused outside the 24 h window' }),
        agentReplies: z.array(AgentReplyBody).openapi({ description: 'What a person who took the conversation over replied after this message (role `agent`)' }),
      }),
    ),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .openapi('Transcript');

export const TranscriptQuery = z.object({
  participant: z
    .enum(['masked', 'full'])
    .default('masked')
    .openapi({ param: { name: 'participant', in: 'query' }, description: "`full` shows the participant's whole number or user id: an API key with the `admin` scope only, and logged" }),
  cursor: z.string().min(1).max(1024).optional().openapi({ param: { name: 'cursor', in: 'query' }, description: 'The `nextCursor` of the previous page' }),
  limit: pageLimit,
});

export const ErasureRequest = z
  .object({
    channel: z.enum(CHANNELS),
    accountId: z.string().min(1).max(128).optional().openapi({ description: 'WhatsApp phone_number_id; default for the API channel' }),
    participantId: z.string().min(1).max(256).openapi({ description: "The participant's WhatsApp number or API userId" }),
  })
  .openapi('ErasureRequest');

export const ErasureResult = z
  .object({
    conversationIds: z.array(z.string()).openapi({ description: "Every conversation of the participant erased, whatever its id (an API client's own conversation ids included)" }),
    messages: z.number().int(),
    deadLetters: z.number().int().openapi({ description: 'Dead-lettered messages of those conversations deleted' }),
    interactions: z.number().int(),
    statuses: z.number().int(),
  })
  .openapi('ErasureResult');
