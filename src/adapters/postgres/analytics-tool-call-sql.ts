import type { AnalyticsQuery } from '../../domain/model/analytics.js';
import type { ToolCallInteraction } from '../../domain/model/interaction.js';
import { onChannel, within } from './analytics-read-sql.js';
import { erasedBefore } from './analytics-write-sql.js';
import { at, join, sql, type Sql } from './sql-fragment.js';

/** A tool call's fact, once per event id (never revised: its outcome is final when published); refused for a user erased since. */
export function recordToolCallSql(e: ToolCallInteraction): Sql {
  const erased = erasedBefore(e.userKey, e.occurredAt);
  const latency = e.latencyMs === undefined ? null : Math.round(e.latencyMs);
  return sql`with inserted as (
      insert into tool_call (event_id, occurred_at, channel, account_id, conversation_id, user_key, call_id, message_id, tool, outcome, failure_reason, latency_ms)
      select ${e.eventId}, ${at(e.occurredAt)}::timestamptz, ${e.channel}, ${e.accountId}, ${e.conversationId}, ${e.userKey}, ${e.callId}, ${e.messageId},
        ${e.tool}, ${e.outcome}, ${e.failureReason}, ${latency}::integer
      where not ${erased}
      on conflict (event_id) do nothing
      returning 1
    )
    select count(*)::integer as inserted, ${erased} as erased from inserted`;
}

/** The range's tool calls by outcome, and the nearest-rank latency percentiles of those with one (null when none). */
export const toolCallCountsSql = ({ from, to, channel }: AnalyticsQuery): Sql =>
  sql`select count(*)::float8 as total, count(*) filter (where outcome = 'ok')::float8 as ok,
      count(*) filter (where outcome = 'failed')::float8 as failed, count(*) filter (where outcome = 'unknown')::float8 as unknown,
      count(*) filter (where outcome = 'invalid')::float8 as invalid,
      percentile_disc(array[0.5, 0.95]) within group (order by latency_ms) as latency
    from tool_call where ${within('occurred_at', [{ from, to }])}${onChannel(channel)}`;

/** Each of `ids`' tool calls in the range (only those with any). */
export const toolCallsByConversationSql = (query: AnalyticsQuery, ids: readonly string[]): Sql =>
  sql`select conversation_id, count(*) as n from tool_call
    where conversation_id = any(array[${join(ids.map((id) => sql`${id}`), ', ')}]::text[])
      and occurred_at >= ${at(query.from)} and occurred_at < ${at(query.to)}${onChannel(query.channel)}
    group by conversation_id`;
