import { searchKey, type AnalyticsQuery, type ConversationQuery } from '../../domain/model/analytics.js';
import { DAY_MS } from '../analytics-store-support.js';
import { agentRepliesByConversationSql } from './analytics-agent-reply-sql.js';
import { onChannel } from './analytics-read-sql.js';
import { toolCallsByConversationSql } from './analytics-tool-call-sql.js';
import { at, EMPTY, epochMs, join, raw, sql, type Sql } from './sql-fragment.js';
import { wholeUnits, type Span } from './time-tiers.js';

/** A place in the list's order: last activity descending, then id ascending (byte order, collate "C"). */
export interface ListPosition {
  at: number;
  id: string;
}

// Activity in `[from, to)` comes from two sources with a time column each: `conversation_day` for
// the whole UTC days (its `last_at`, the conversation's last message that day, lies in its day)
// and the facts for the partial days at the edges.
interface Source {
  table: 'conversation_day' | 'interaction';
  time: 'last_at' | 'received_at';
  span: Span;
}

function sourcesOf({ from, to }: AnalyticsQuery): Source[] {
  const days = wholeUnits({ from, to }, DAY_MS);
  const sources: Source[] = [{ table: 'conversation_day', time: 'last_at', span: days.whole }];
  for (const edge of days.edges) sources.push({ table: 'interaction', time: 'received_at', span: edge });
  return sources.filter((s) => s.span.from < s.span.to);
}

const inSpan = ({ time, span }: Source): Sql => sql`${raw(time)} >= ${at(span.from)} and ${raw(time)} < ${at(span.to)}`;
const idIn = (ids: readonly string[]): Sql => sql`conversation_id = any(array[${join(ids.map((id) => sql`${id}`), ', ')}]::text[])`;

// Strictly after `p` in list order; the first conjunct is the index's range.
const after = (time: string, p: ListPosition): Sql =>
  sql` and ${raw(time)} <= ${at(p.at)} and (${raw(time)} < ${at(p.at)} or conversation_id > ${p.id})`;

/**
 * Up to `limit` activity rows `(id, at)` after `position`, in list order: each source's first rows
 * by its time index, merged. A conversation's first row in this order is its last activity in the
 * range, so the walk meets conversations in the list's order.
 */
export function activitySql(query: AnalyticsQuery, position: ListPosition | undefined, limit: number): Sql | undefined {
  const branches = sourcesOf(query).map((s) => {
    const next = position ? after(s.time, position) : EMPTY;
    return sql`(select conversation_id as id, ${raw(s.time)} as at from ${raw(s.table)}
      where ${inSpan(s)}${onChannel(query.channel)}${next} order by ${raw(s.time)} desc, conversation_id limit ${limit})`;
  });
  if (branches.length === 0) return undefined;
  return sql`select id, ${raw(epochMs('at'))} as at from (${join(branches, ' union all ')}) activity order by activity.at desc, activity.id limit ${limit}`;
}

/** Those of `ids` with activity in the range at or before `position` in list order: listed on an earlier page. */
export function listedBeforeSql(query: AnalyticsQuery, position: ListPosition, ids: readonly string[]): Sql {
  const branches = sourcesOf(query).map((s) => {
    const t = raw(s.time);
    return sql`select conversation_id as id from ${raw(s.table)} where ${idIn(ids)} and ${inSpan(s)}${onChannel(query.channel)}
      and (${t} > ${at(position.at)} or (${t} = ${at(position.at)} and conversation_id <= ${position.id}))`;
  });
  return sql`${join(branches, ' union ')}`;
}

/**
 * Those of `ids` the query's mode and last delivery ask for, exactly as the figures compute them,
 * by index probes per conversation, so a walk reads the figures only of those.
 */
export function candidatesSql(query: ConversationQuery, ids: readonly string[]): Sql {
  const tests: Sql[] = [];
  if (query.mode) tests.push(sql`coalesce((${latestModeSql(query, 'c.id')}), 'bot') = ${query.mode}`);
  if (query.outcome) {
    tests.push(sql`(select status from delivery_status where conversation_id = c.id and occurred_at < ${at(query.to)}${onChannel(query.channel)}
      order by occurred_at desc, ${raw(DELIVERY_RANK_SQL)} desc limit 1) = ${query.outcome}`);
  }
  return sql`select c.id from unnest(array[${join(ids.map((id) => sql`${id}`), ', ')}]::text[]) as c(id) where ${join(tests, ' and ')}`;
}

/**
 * Up to `limit` conversations with a row in the range whose participant or profile name holds the
 * search (by searchKey, as text, never a pattern): every conversation the search may match, and
 * perhaps some whose latest name does not (the figures decide).
 */
export function searchMatchesSql(query: ConversationQuery, limit: number): Sql {
  const pattern = `%${searchKey(query.search ?? '').replace(/[\\%_]/g, (x) => `\\${x}`)}%`;
  // `search_key` (M013) joins the two with a `/`: a search across the join may match too many, never too few.
  const branches = sourcesOf(query).map((s) => sql`select conversation_id from ${raw(s.table)} where ${inSpan(s)}${onChannel(query.channel)} and search_key like ${pattern}`);
  if (branches.length === 0) return sql`select null::text as id where false`;
  return sql`select distinct conversation_id as id from (${join(branches, ' union all ')}) matched limit ${limit}`;
}

// Its latest switch between the bot and a person before the range's end.
const latestModeSql = (query: AnalyticsQuery, id: string): Sql =>
  sql`select mode from conversation_mode where conversation_id = ${raw(id)} and occurred_at < ${at(query.to)} order by occurred_at desc, event_id desc limit 1`;

const DELIVERY_RANK_SQL = `case status when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 when 'played' then 4 when 'failed' then 5 end`;

/**
 * Each of `ids`' figures over the range: whole days from `conversation_day`, the edges from the
 * facts, what WhatsApp charged for the messages delivered to it in the range, and its agent replies and tool calls there.
 */
export function conversationTotalsSql(query: AnalyticsQuery, ids: readonly string[]): Sql {
  const ch = onChannel(query.channel);
  const branches = sourcesOf(query).map((s) =>
    s.table === 'conversation_day'
      ? sql`select conversation_id, channel, account_id, first_at, last_at, messages_in, messages_out, cost_usd, prompt_tokens, completion_tokens,
            participant, profile_name
          from conversation_day where ${idIn(ids)} and ${inSpan(s)}${ch}`
      : sql`select conversation_id, channel, account_id, received_at as first_at, received_at as last_at, 1 as messages_in,
            (outcome = 'sent')::integer as messages_out, cost_usd, prompt_tokens, completion_tokens, participant, profile_name
          from interaction where ${idIn(ids)} and ${inSpan(s)}${ch}`,
  );
  const totals = sql`select conversation_id as id, min(channel) as channel, min(account_id) as account_id,
      ${raw(epochMs('min(first_at)'))} as first_message_at, ${raw(epochMs('max(last_at)'))} as last_message_at,
      sum(messages_in)::float8 as messages_in, sum(messages_out)::float8 as messages_out, sum(cost_usd)::float8 as cost_usd,
      sum(prompt_tokens)::float8 as prompt_tokens, sum(completion_tokens)::float8 as completion_tokens,
      max(participant) as participant, (array_agg(profile_name order by last_at desc) filter (where profile_name is not null))[1] as profile_name
    from (${join(branches, ' union all ')}) facts group by conversation_id`;
  const charges = sql`select conversation_id, sum(usd) as usd from whatsapp_charge
    where ${idIn(ids)} and occurred_at >= ${at(query.from)} and occurred_at < ${at(query.to)}${ch} group by conversation_id`;
  // The newest status reported up to the range's end; of two at the same time, the further one.
  const lastDelivery = sql`select distinct on (conversation_id) conversation_id, status from delivery_status
    where ${idIn(ids)} and occurred_at < ${at(query.to)}${ch}
    order by conversation_id, occurred_at desc, ${raw(DELIVERY_RANK_SQL)} desc`;
  const mode = latestModeSql(query, 'totals.id');
  return sql`select totals.*, coalesce(charges.usd, 0)::float8 as whatsapp_usd, last_delivery.status as last_delivery, coalesce(mode.mode, 'bot') as mode,
      coalesce(agent_replies.n, 0)::float8 as agent_replies, coalesce(tool_calls.n, 0)::float8 as tool_calls
    from (${totals}) totals left join (${charges}) charges on charges.conversation_id = totals.id
    left join (${lastDelivery}) last_delivery on last_delivery.conversation_id = totals.id
    left join (${agentRepliesByConversationSql(query, ids)}) agent_replies on agent_replies.conversation_id = totals.id
    left join (${toolCallsByConversationSql(query, ids)}) tool_calls on tool_calls.conversation_id = totals.id
    left join lateral (${mode}) mode on true`;
}
