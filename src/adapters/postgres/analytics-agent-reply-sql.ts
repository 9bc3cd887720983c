import type { AnalyticsQuery } from '../../domain/model/analytics.js';
import type { AgentReplyInteraction } from '../../domain/model/interaction.js';
import { onChannel, within } from './analytics-read-sql.js';
import { erasedBefore } from './analytics-write-sql.js';
import { at, join, sql, type Sql } from './sql-fragment.js';

/**
 * An agent reply's end, once per event id; refused for a user erased since. A `send-unknown` fact
 * is settled once by a `sent` or `failed` event of the same id: only its outcome and reason change
 * (when the send ended stays, so it is counted in the same range). A concurrent revision waits on
 * the row and then finds it settled: a duplicate.
 */
export function recordAgentReplySql(e: AgentReplyInteraction): Sql {
  const erased = erasedBefore(e.userKey, e.occurredAt);
  return sql`with previous as (
      select outcome from agent_reply where event_id = ${e.eventId} and outcome = 'send-unknown'
    ),
    upserted as (
      insert into agent_reply (event_id, occurred_at, channel, account_id, conversation_id, user_key, reply_id, outcome, failure_reason, latency_ms)
      select ${e.eventId}, ${at(e.occurredAt)}::timestamptz, ${e.channel}, ${e.accountId}, ${e.conversationId}, ${e.userKey}, ${e.replyId},
        ${e.outcome}, ${e.failureReason}, ${Math.round(e.latencyMs)}::integer
      where not ${erased}
      on conflict (event_id) do update set outcome = excluded.outcome, failure_reason = excluded.failure_reason
        where agent_reply.outcome = 'send-unknown' and excluded.outcome <> 'send-unknown'
      returning 1
    )
    select count(*)::integer as inserted, exists (select 1 from previous) as revised, ${erased} as erased from upserted`;
}

/** The range's agent replies by outcome. */
export const agentReplyCountsSql = ({ from, to, channel }: AnalyticsQuery): Sql =>
  sql`select count(*)::float8 as total, count(*) filter (where outcome = 'sent')::float8 as sent,
      count(*) filter (where outcome = 'failed')::float8 as failed, count(*) filter (where outcome = 'send-unknown')::float8 as unknown
    from agent_reply where ${within('occurred_at', [{ from, to }])}${onChannel(channel)}`;

/** Each of `ids`' agent replies in the range (only those with any). */
export const agentRepliesByConversationSql = (query: AnalyticsQuery, ids: readonly string[]): Sql =>
  sql`select conversation_id, count(*) as n from agent_reply
    where conversation_id = any(array[${join(ids.map((id) => sql`${id}`), ', ')}]::text[])
      and occurred_at >= ${at(query.from)} and occurred_at < ${at(query.to)}${onChannel(query.channel)}
    group by conversation_id`;
