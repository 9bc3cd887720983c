import type { MessageInteraction, StatusInteraction } from '../../domain/model/interaction.js';
import { HAS_LATENCY_SQL, LATENCY_BUCKET_SQL } from './latency-histogram.js';
import { at, EMPTY, join, raw, sql, type Sql } from './sql-fragment.js';

export const HOUR_OF = `date_trunc('hour', received_at, 'UTC')`;
export const DAY_OF = `date_trunc('day', received_at, 'UTC')`;
// Days since 1970-01-01 (UTC); `user_activity` keeps them in periods of 64, a bit per day.
const EPOCH_DAY = `floor(extract(epoch from received_at) / 86400)::bigint`;
export const DAYS_PER_PERIOD = 64;
const PERIOD_OF = `floor(${EPOCH_DAY} / ${DAYS_PER_PERIOD}.0)::integer`;
const DAY_BIT_OF = `(1::bigint << (${EPOCH_DAY} - ${PERIOD_OF}::bigint * ${DAYS_PER_PERIOD})::integer)`;

// An additive rollup: per key, sums of the facts; kept equal to an aggregate over `interaction`.
interface Rollup {
  table: string;
  keys: Record<string, string>;
  sums: Record<string, string>;
  where?: string;
}

// Sums are signed: a fact row with `sign` 1 adds itself, -1 takes itself back out, so one
// statement can move a revised fact (an unknown send outcome settled) from one count to another.
const ADDITIVE_ROLLUPS: Rollup[] = [
  {
    table: 'interaction_hour',
    keys: { hour: HOUR_OF, channel: 'channel' },
    sums: {
      messages_in: 'sum(sign)',
      messages_out: `coalesce(sum(sign) filter (where outcome = 'sent'), 0)`,
      prompt_tokens: 'sum(sign * prompt_tokens)',
      completion_tokens: 'sum(sign * completion_tokens)',
      cost_usd: 'sum(sign * cost_usd)',
      failures: 'coalesce(sum(sign) filter (where failed), 0)',
    },
  },
  { table: 'failure_hour', keys: { hour: HOUR_OF, channel: 'channel', reason: 'coalesce(failure_reason, outcome)' }, sums: { count: 'sum(sign)' }, where: 'failed' },
  { table: 'latency_hour', keys: { hour: HOUR_OF, channel: 'channel', bucket: LATENCY_BUCKET_SQL }, sums: { count: 'sum(sign)' }, where: HAS_LATENCY_SQL },
  { table: 'latency_day', keys: { day: DAY_OF, channel: 'channel', bucket: LATENCY_BUCKET_SQL }, sums: { count: 'sum(sign)' }, where: HAS_LATENCY_SQL },
];

/** `facts` (a relation shaped like `interaction`) with every row counted once, as the signed sums expect. */
const positive = (facts: string): string => `(select *, 1 as sign from ${facts}) as facts`;

function aggregate(rollup: Rollup, facts: string): string {
  const columns = [...Object.entries(rollup.keys), ...Object.entries(rollup.sums)].map(([column, expression]) => `${expression} as ${column}`);
  const groups = Object.keys(rollup.keys).map((_, i) => i + 1);
  return `select ${columns.join(', ')} from ${facts}${rollup.where ? ` where ${rollup.where}` : ''} group by ${groups.join(', ')}`;
}

const CONVERSATION_DAY_KEYS = ['day', 'channel', 'conversation_id', 'user_hash'];

// Statements that add the rows of `facts` (a relation shaped like `interaction`) to every rollup.
// `record` runs them on the row it inserted; a bulk load runs them on the whole table. With
// `signed`, `facts` has a `sign` column (-1 rows are taken back out).
export function rollupUpserts(table: string, signed = false): string[] {
  const facts = signed ? table : positive(table);
  const additive = ADDITIVE_ROLLUPS.map((rollup) => {
    const columns = [...Object.keys(rollup.keys), ...Object.keys(rollup.sums)];
    const add = Object.keys(rollup.sums).map((column) => `${column} = t.${column} + excluded.${column}`);
    return `insert into ${rollup.table} as t (${columns.join(', ')}) ${aggregate(rollup, facts)}
      on conflict (${Object.keys(rollup.keys).join(', ')}) do update set ${add.join(', ')}`;
  });
  const conversations = `insert into conversation_day as t (${CONVERSATION_DAY_KEYS.join(', ')}, account_id, first_at, last_at, messages_in, messages_out, cost_usd,
      prompt_tokens, completion_tokens, participant, profile_name)
    select ${DAY_OF}, channel, conversation_id, user_hash, min(account_id), min(received_at), max(received_at),
      sum(sign), coalesce(sum(sign) filter (where outcome = 'sent'), 0), sum(sign * cost_usd),
      sum(sign * prompt_tokens), sum(sign * completion_tokens),
      max(participant), (array_agg(profile_name order by received_at desc) filter (where profile_name is not null))[1]
    from ${facts} group by 1, 2, 3, 4
    on conflict (${CONVERSATION_DAY_KEYS.join(', ')}) do update set
      first_at = least(t.first_at, excluded.first_at), last_at = greatest(t.last_at, excluded.last_at),
      messages_in = t.messages_in + excluded.messages_in, messages_out = t.messages_out + excluded.messages_out,
      cost_usd = t.cost_usd + excluded.cost_usd,
      prompt_tokens = t.prompt_tokens + excluded.prompt_tokens, completion_tokens = t.completion_tokens + excluded.completion_tokens,
      participant = coalesce(excluded.participant, t.participant),
      profile_name = case when excluded.last_at >= t.last_at then coalesce(excluded.profile_name, t.profile_name) else coalesce(t.profile_name, excluded.profile_name) end`;
  const activity = `insert into user_activity as t (period, channel, conversation_id, user_hash, days)
    select ${PERIOD_OF}, channel, conversation_id, user_hash, bit_or(${DAY_BIT_OF}) from ${facts} group by 1, 2, 3, 4
    on conflict (period, channel, conversation_id, user_hash) do update set days = t.days | excluded.days`;
  return [...additive, conversations, activity];
}

// Which stored outcomes an event of this outcome revises (the port's exceptions), as a SQL list.
const REVISES: Partial<Record<MessageInteraction['outcome'], string>> = { sent: `('send-unknown')`, failed: `('send-unknown', 'sent')` };

// One statement: the fact, and the rollups computed only from the row the insert returned. A
// duplicate (even a concurrent one, which waits on the primary key) returns no row, so it adds
// nothing. A `send-unknown` fact is revised once by a `sent`/`failed` event of the same id, a `sent`
// one once by a `failed` event: the stored row (as this statement's snapshot saw it) is taken back
// out and the revised one added. The update applies only when the row still has the outcome that
// snapshot saw (a concurrent revision that came first makes this one a duplicate), so what is
// taken out is exact.
export function recordMessageSql(e: MessageInteraction): Sql {
  const rollups = rollupUpserts('delta', true).map((statement, i) => raw(`, r${i} as (${statement})`));
  const revisable = REVISES[e.outcome];
  return sql`with previous as (
      select * from interaction where event_id = ${e.eventId} and ${raw(revisable ? `outcome in ${revisable}` : 'false')}
    ),
    upserted as (
      insert into interaction (event_id, occurred_at, received_at, channel, account_id, conversation_id, user_key, message_id,
        message_type, outcome, reply_kind, model, prompt_tokens, completion_tokens, cost_usd, latency_ms, failure_reason, participant, profile_name)
      select ${e.eventId}, ${at(e.occurredAt)}::timestamptz, ${at(e.receivedAt)}::timestamptz, ${e.channel}, ${e.accountId}, ${e.conversationId}, ${e.userKey}, ${e.messageId},
        ${e.messageType}, ${e.outcome}, ${e.replyKind}, ${e.model}, ${e.usage.prompt}, ${e.usage.completion}, ${e.costUsd},
        ${e.latencyMs === undefined ? null : Math.round(e.latencyMs)}::integer, ${e.failureReason}, ${e.participant}, ${e.profileName}
      where not ${erasedBefore(e.userKey, e.receivedAt)}
      on conflict (event_id) do update set outcome = excluded.outcome, failure_reason = excluded.failure_reason, occurred_at = excluded.occurred_at
        where interaction.outcome = (select outcome from previous)
      returning *
    ),
    delta as (
      select upserted.*, 1 as sign from upserted
      union all
      select previous.*, -1 from previous where exists (select 1 from upserted)
    )${join(rollups, '')}
    select (select count(*) from upserted)::integer as inserted, exists (select 1 from previous) as revised, ${erasedBefore(e.userKey, e.receivedAt)} as erased`;
}

// The status, and its charge when it has one: the charge's key is the outbound message, so the
// first status reporting it (`delivered`, or `read` when `delivered` never came) is the one kept.
export function recordStatusSql(e: StatusInteraction): Sql {
  const erased = erasedBefore(e.userKey, e.occurredAt);
  const charge = e.charge
    ? sql`, charged as (
        insert into whatsapp_charge (channel, outbound_id, occurred_at, account_id, conversation_id, user_key, category, market, usd)
        select ${e.channel}, ${e.outboundId}, ${at(e.occurredAt)}::timestamptz, ${e.accountId}, ${e.conversationId}, ${e.userKey}, ${e.charge.category}, ${e.charge.market}, ${e.charge.usd}::float8
        where not ${erased}
        on conflict (channel, outbound_id) do nothing
      )`
    : EMPTY;
  return sql`with inserted as (
      insert into delivery_status (event_id, occurred_at, channel, account_id, conversation_id, user_key, outbound_id, status,
        pricing_category, pricing_type, pricing_model, billable, error_code, failure_reason)
      select ${e.eventId}, ${at(e.occurredAt)}::timestamptz, ${e.channel}, ${e.accountId}, ${e.conversationId}, ${e.userKey}, ${e.outboundId}, ${e.status},
        ${e.pricingCategory}, ${e.pricingType}, ${e.pricingModel}, ${e.billable}::boolean, ${e.errorCode}::integer, ${e.failureReason}
      where not ${erased}
      on conflict (event_id) do nothing
      returning 1
    )${charge}
    select count(*)::integer as inserted, ${erased} as erased from inserted`;
}

/** True when the user was erased at or after `happenedAt`: such an event is a late redelivery. */
export function erasedBefore(userKey: string, happenedAt: number): Sql {
  return sql`exists (select 1 from erased_user where user_key = ${userKey} and erased_at >= ${at(happenedAt)}::timestamptz)`;
}

// One statement, so one transaction: deletes the user's facts and takes exactly those rows back
// out of the rollups. Rollup rows are decremented, never deleted, so a concurrent `record` on the
// same row (which PostgreSQL re-reads after waiting for the lock) cannot lose an increment; a row
// left at zero counts nothing and the readers skip zero failure reasons.
export function eraseUserSql(userKey: string, erasedAt: number): Sql {
  const decrements = ADDITIVE_ROLLUPS.map((rollup, i) => {
    const subtract = Object.keys(rollup.sums).map((column) => `${column} = t.${column} - x.${column}`);
    const match = Object.keys(rollup.keys).map((column) => `t.${column} = x.${column}`);
    return raw(`, d${i} as (update ${rollup.table} as t set ${subtract.join(', ')} from (${aggregate(rollup, positive('erased'))}) x where ${match.join(' and ')})`);
  });
  const conversationMatch = CONVERSATION_DAY_KEYS.map((column) => `t.${column} = x.${column}`).join(' and ');
  return sql`with tombstone as (
      insert into erased_user (user_key, erased_at) values (${userKey}, ${at(erasedAt)}::timestamptz)
      on conflict (user_key) do update set erased_at = greatest(erased_user.erased_at, excluded.erased_at)
    ),
    erased as (delete from interaction where user_key = ${userKey} returning *)${join(decrements, '')},
    conversations as (
      delete from conversation_day as t
      using (select distinct ${raw(DAY_OF)} as day, channel, conversation_id, user_hash from erased) x
      where ${raw(conversationMatch)}
    ),
    activity as (
      delete from user_activity as t
      using (select distinct ${raw(PERIOD_OF)} as period, channel, conversation_id, user_hash from erased) x
      where t.period = x.period and t.channel = x.channel and t.conversation_id = x.conversation_id and t.user_hash = x.user_hash
    ),
    statuses as (delete from delivery_status where user_key = ${userKey} returning 1),
    charges as (delete from whatsapp_charge where user_key = ${userKey}),
    modes as (delete from conversation_mode where user_key = ${userKey}),
    agent_replies as (delete from agent_reply where user_key = ${userKey}),
    tool_calls as (delete from tool_call where user_key = ${userKey})
    select (select count(*) from erased)::integer as interactions, (select count(*) from statuses)::integer as statuses`;
}
