import type { AnalyticsQuery, TimeseriesMetric, TimeseriesQuery } from '../../domain/model/analytics.js';
import type { Channel } from '../../domain/model/ids.js';
import { DAY_MS, HOUR_MS } from '../analytics-store-support.js';
import { DAYS_PER_PERIOD, HOUR_OF } from './analytics-write-sql.js';
import { HAS_LATENCY_SQL, LATENCY_BUCKET_SQL } from './latency-histogram.js';
import { at, EMPTY, epochMs, join, raw, sql, type Sql } from './sql-fragment.js';
import { activityMasks, dayHourTiers, wholeUnits, type Span } from './time-tiers.js';

// `column` in any of the spans (empty spans dropped; none left is `false`).
export function within(column: string, spans: Span[]): Sql {
  const parts = spans.filter((s) => s.from < s.to).map((s) => sql`(${raw(column)} >= ${at(s.from)} and ${raw(column)} < ${at(s.to)})`);
  return parts.length === 0 ? raw('false') : sql`(${join(parts, ' or ')})`;
}

/** ` and channel = …` when the query names a channel. */
export const onChannel = (channel: Channel | undefined): Sql => (channel ? sql` and channel = ${channel}` : EMPTY);

// The summary's reads, run side by side. Counters and failures: whole hours from the hourly rollups plus the
// partial edge hours from the facts. Latencies: whole days, then whole hours, then the edges.
// Distinct users and conversations: whole days from `user_activity` plus the partial edge days (see edgeActivity).
export function summarySql({ from, to, channel }: AnalyticsQuery): Record<'counters' | 'charges' | 'conversationCosts' | 'failures' | 'latencies' | 'users' | 'conversations', Sql> {
  const hours = wholeUnits({ from, to }, HOUR_MS);
  const days = wholeUnits({ from, to }, DAY_MS);
  const tiers = dayHourTiers({ from, to });
  const ch = onChannel(channel);
  const hourEdges = within('received_at', hours.edges);
  return {
    counters: sql`select coalesce(sum(messages_in), 0)::float8 as messages_in, coalesce(sum(messages_out), 0)::float8 as messages_out,
        coalesce(sum(prompt_tokens), 0)::float8 as prompt_tokens, coalesce(sum(completion_tokens), 0)::float8 as completion_tokens,
        coalesce(sum(cost_usd), 0)::float8 as cost_usd
      from (
        select messages_in, messages_out, prompt_tokens, completion_tokens, cost_usd from interaction_hour where ${within('hour', [hours.whole])}${ch}
        union all
        select 1, (outcome = 'sent')::integer, prompt_tokens, completion_tokens, cost_usd from interaction where ${hourEdges}${ch}
      ) facts`,
    // What WhatsApp charged for the messages delivered in the range (a few rows per conversation at most).
    charges: sql`select coalesce(sum(usd), 0)::float8 as usd from whatsapp_charge where ${within('occurred_at', [{ from, to }])}${ch}`,
    // Each conversation with a message in the range: its cost there (whole days from conversation_day,
    // the edge days from the facts) plus what WhatsApp charged it there; then the percentiles.
    conversationCosts: sql`select percentile_disc(array[0.5, 0.95]) within group (order by cost) as p from (
        select sum(cost) as cost from (
          select conversation_id, messages_in as messages, cost_usd as cost from conversation_day where ${within('day', [days.whole])}${ch}
          union all
          select conversation_id, 1, cost_usd from interaction where ${within('received_at', days.edges)}${ch}
          union all
          select conversation_id, 0, usd from whatsapp_charge where usd is not null and ${within('occurred_at', [{ from, to }])}${ch}
        ) parts group by conversation_id having sum(messages) > 0
      ) conversations`,
    // Reasons stored before the snake_case convention (`outside-service-window`) count with today's spelling.
    failures: sql`select replace(reason, '-', '_') as reason, sum(n)::float8 as count from (
        select reason, count as n from failure_hour where ${within('hour', [hours.whole])}${ch}
        union all
        select coalesce(failure_reason, outcome), 1 from interaction where ${hourEdges}${ch} and failed
        union all
        select failure_reason, 1 from delivery_status where failure_reason is not null and ${within('occurred_at', [{ from, to }])}${ch}
      ) failures group by 1 having sum(n) > 0 order by 1`,
    latencies: sql`select bucket, sum(n)::float8 as count from (
        select bucket, count as n from latency_day where ${within('day', [tiers.days])}${ch}
        union all
        select bucket, count from latency_hour where ${within('hour', tiers.hours)}${ch}
        union all
        select ${raw(LATENCY_BUCKET_SQL)}, 1 from interaction where ${within('received_at', tiers.edges)}${ch} and ${raw(HAS_LATENCY_SQL)}
      ) latencies group by bucket having sum(n) > 0 order by bucket`,
    users: distinctSql('user_hash', days, ch),
    conversations: distinctSql('conversation_id', days, ch),
  };
}

function distinctSql(column: 'user_hash' | 'conversation_id', days: ReturnType<typeof wholeUnits>, ch: Sql): Sql {
  // Periods wholly inside need no mask: they are one index range, however long the query.
  const masks = activityMasks(days.whole, DAYS_PER_PERIOD);
  const full = masks.filter((m) => m.mask === '-1').map((m) => m.period);
  const periods = masks.filter((m) => m.mask !== '-1').map(({ period, mask }) => sql`(period = ${period} and days & ${mask}::bigint <> 0)`);
  if (full.length > 0) periods.push(sql`(period between ${Math.min(...full)} and ${Math.max(...full)})`);
  const active = periods.length === 0 ? raw('false') : sql`(${join(periods, ' or ')})`;
  // Counted by sorting 64-bit hashes, which costs about half of hashing the rows into a set (as
  // `union` would) at a month's tens of thousands: conversation ids are hashed like user keys.
  const c = raw(column === 'user_hash' ? 'user_hash' : 'hashtextextended(conversation_id, 0)');
  const edges = days.edges.flatMap((edge) => (edge.from < edge.to ? [edgeActivity(c, edge, ch)] : []));
  return sql`select count(distinct key)::float8 as count from (
      select ${c} as key from user_activity where ${active}${ch}${join(edges.map((edge) => sql` union all ${edge}`), '')}
    ) active`;
}

/**
 * Who was active in a partial day: from `conversation_day` when the part ends or starts at a UTC
 * midnight (a row's last message at or after the start, or its first before the end, says so
 * exactly, from one row per conversation and user instead of every fact), else from the facts.
 */
function edgeActivity(key: Sql, edge: Span, ch: Sql): Sql {
  const day = Math.floor(edge.from / DAY_MS) * DAY_MS;
  if (edge.to === day + DAY_MS) return sql`select ${key} from conversation_day where day = ${at(day)} and last_at >= ${at(edge.from)}${ch}`;
  if (edge.from === day && edge.to < day + DAY_MS) return sql`select ${key} from conversation_day where day = ${at(day)} and first_at < ${at(edge.to)}${ch}`;
  return sql`select ${key} from interaction where ${within('received_at', [edge])}${ch}`;
}

export const COUNTER_COLUMNS: Partial<Record<TimeseriesMetric, string>> = {
  messagesIn: 'messages_in',
  messagesOut: 'messages_out',
  tokensPrompt: 'prompt_tokens',
  tokensCompletion: 'completion_tokens',
  costAiUsd: 'cost_usd',
  failures: 'failures',
};
export const LATENCY_PERCENTILES: Partial<Record<TimeseriesMetric, number>> = { latencyP50: 50, latencyP95: 95, latencyP99: 99 };

// One row per bucket `[at, at + step)` from `from` to `to`, gaps included. Latency metrics answer
// the histogram bucket of the percentile (null when empty), to be turned into milliseconds.
export function timeseriesSql(q: TimeseriesQuery, step: number): Sql {
  const unit = q.interval;
  const ch = onChannel(q.channel);
  const series = sql`generate_series(${at(q.from)}, ${at(q.to - step)}, ${`${step / 1000} seconds`}::interval) as s(at)`;
  const perBucket = bucketedSql(q, ch, unit);
  return sql`select ${raw(epochMs('s.at'))} as at, ${raw(q.metric in LATENCY_PERCENTILES ? 'x.value::float8' : 'coalesce(x.value, 0)::float8')} as value
    from ${series} left join (${perBucket}) x on x.at = s.at
    order by s.at`;
}

function bucketedSql(q: TimeseriesQuery, ch: Sql, unit: 'hour' | 'day'): Sql {
  const counter = COUNTER_COLUMNS[q.metric];
  if (counter === 'failures') {
    // Failed deliveries count where they were reported, like the summary counts them.
    return sql`select at, sum(n) as value from (
        select date_trunc(${unit}, hour, 'UTC') as at, sum(failures) as n from interaction_hour where ${within('hour', [q])}${ch} group by 1
        union all
        select date_trunc(${unit}, occurred_at, 'UTC'), count(*) from delivery_status where failure_reason is not null and ${within('occurred_at', [q])}${ch} group by 1
      ) failures group by at`;
  }
  if (counter) {
    return sql`select date_trunc(${unit}, hour, 'UTC') as at, sum(${raw(counter)}) as value
      from interaction_hour where ${within('hour', [q])}${ch} group by 1`;
  }
  // WhatsApp's charges fall where the message was delivered; the total adds the AI's cost of the hour.
  const charges = sql`select date_trunc(${unit}, occurred_at, 'UTC') as at, sum(usd) as n from whatsapp_charge where ${within('occurred_at', [q])}${ch} group by 1`;
  if (q.metric === 'costWhatsappUsd') return sql`select at, n as value from (${charges}) charges`;
  if (q.metric === 'costUsd') {
    return sql`select at, sum(n) as value from (
        select date_trunc(${unit}, hour, 'UTC') as at, sum(cost_usd) as n from interaction_hour where ${within('hour', [q])}${ch} group by 1
        union all
        ${charges}
      ) costs group by at`;
  }
  if (q.metric === 'uniqueUsers') {
    return unit === 'day'
      ? sql`select day as at, count(distinct user_hash) as value from conversation_day where ${within('day', [q])}${ch} group by 1`
      : sql`select ${raw(HOUR_OF)} as at, count(distinct user_hash) as value from interaction where ${within('received_at', [q])}${ch} group by 1`;
  }
  const p = LATENCY_PERCENTILES[q.metric];
  if (p === undefined) throw new Error(`unknown timeseries metric ${String(q.metric)}`);
  const table = unit === 'day' ? 'latency_day' : 'latency_hour';
  return percentileSql(sql`select ${raw(unit)} as at, bucket, sum(count) as n from ${raw(table)} where ${within(unit, [q])}${ch} group by 1, 2`, p);
}

/**
 * Per bucket `at`, the histogram bucket of the nearest-rank percentile `p` of `histogram` (rows of
 * `at, bucket, n`). The rank uses the same float8 steps as the domain's `percentile` in JS.
 */
export function percentileSql(histogram: Sql, p: number): Sql {
  return sql`with histogram as (
      ${histogram}
    ), running as (
      select at, bucket, sum(n) over (partition by at order by bucket) as seen, sum(n) over (partition by at) as total from histogram
    )
    select at, min(bucket) filter (where seen >= greatest(1, ceil((${p}::float8 / 100) * total::float8))) as value from running group by at`;
}
