import type { TimeseriesQuery } from '../../domain/model/analytics.js';
import { localDateOf } from '../../domain/model/time-zone.js';
import { HOUR_MS } from '../analytics-store-support.js';
import { COUNTER_COLUMNS, LATENCY_PERCENTILES, onChannel, percentileSql, within } from './analytics-read-sql.js';
import { HAS_LATENCY_SQL, LATENCY_BUCKET_SQL } from './latency-histogram.js';
import { at, epochMs, raw, sql, type Sql } from './sql-fragment.js';

// Where the counters and latencies kept per UTC hour come from. The hourly rollups add up to whole
// local hours and days only when the zone's offset is a whole number of hours (Berlin, New York):
// in a half-hour zone (Kolkata, St John's) a local day starts inside a UTC hour, so the facts are read.
interface HourSource {
  table: string;
  time: string;
  sums: Record<string, string>;
  /** Rows of `ts, bucket, n, channel`: the latency histogram. */
  latency: string;
}

const ROLLUPS: HourSource = {
  table: 'interaction_hour',
  time: 'hour',
  sums: Object.fromEntries(Object.values(COUNTER_COLUMNS).map((column) => [column, `sum(${column})`])),
  latency: 'select hour as ts, bucket, count as n, channel from latency_hour',
};

const FACTS: HourSource = {
  table: 'interaction',
  time: 'received_at',
  sums: {
    messages_in: 'count(*)',
    messages_out: `count(*) filter (where outcome = 'sent')`,
    prompt_tokens: 'sum(prompt_tokens)',
    completion_tokens: 'sum(completion_tokens)',
    cost_usd: 'sum(cost_usd)',
    failures: 'count(*) filter (where failed)',
  },
  latency: `select received_at as ts, ${LATENCY_BUCKET_SQL} as bucket, 1 as n, channel from interaction where ${HAS_LATENCY_SQL}`,
};

/**
 * Like `timeseriesSql`, in the local hours or days of an IANA zone: buckets by
 * `date_trunc(unit, time, zone)` against a series of local bucket starts (`from`, `to` aligned to
 * them). `hourlyRollups`: the zone's offset is a whole number of hours all through the range.
 */
export function zonedTimeseriesSql(q: TimeseriesQuery, zone: string, hourlyRollups: boolean): Sql {
  // Local midnights come from local dates (PostgreSQL 15 has no zone argument to generate_series);
  // local hours are hours of elapsed time, 25 of them in a day the clocks go back.
  const series =
    q.interval === 'hour'
      ? sql`generate_series(${at(q.from)}, ${at(q.to - HOUR_MS)}, '1 hour'::interval) as s(at)`
      : sql`(select local_day at time zone ${zone}::text
          from generate_series(${localDateOf(zone, q.from)}::timestamp, ${localDateOf(zone, q.to - 1)}::timestamp, '1 day'::interval) as d(local_day)) as s(at)`;
  const perBucket = bucketedSql(q, zone, hourlyRollups ? ROLLUPS : FACTS);
  return sql`select ${raw(epochMs('s.at'))} as at, ${raw(q.metric in LATENCY_PERCENTILES ? 'x.value::float8' : 'coalesce(x.value, 0)::float8')} as value
    from ${series} left join (${perBucket}) x on x.at = s.at
    order by s.at`;
}

function bucketedSql(q: TimeseriesQuery, zone: string, hours: HourSource): Sql {
  const ch = onChannel(q.channel);
  const bucket = (column: string): Sql => sql`date_trunc(${q.interval}, ${raw(column)}, ${zone}::text)`;
  const hourly = (expression: string): Sql =>
    sql`select ${bucket(hours.time)} as at, ${raw(expression)} as n from ${raw(hours.table)} where ${within(hours.time, [q])}${ch} group by 1`;
  const counter = COUNTER_COLUMNS[q.metric];
  if (counter === 'failures') {
    // Failed deliveries count where they were reported, like the summary counts them.
    return sql`select at, sum(n) as value from (
        ${hourly(hours.sums.failures!)}
        union all
        select ${bucket('occurred_at')}, count(*) from delivery_status where failure_reason is not null and ${within('occurred_at', [q])}${ch} group by 1
      ) failures group by at`;
  }
  if (counter) return sql`select at, n as value from (${hourly(hours.sums[counter]!)}) counters`;
  // WhatsApp's charges fall where the message was delivered; the total adds the AI's cost.
  const charges = sql`select ${bucket('occurred_at')} as at, sum(usd) as n from whatsapp_charge where ${within('occurred_at', [q])}${ch} group by 1`;
  if (q.metric === 'costWhatsappUsd') return sql`select at, n as value from (${charges}) charges`;
  if (q.metric === 'costUsd') {
    return sql`select at, sum(n) as value from (
        ${hourly(hours.sums.cost_usd!)}
        union all
        ${charges}
      ) costs group by at`;
  }
  // Who was active in a local day: the daily rollups are UTC days, so from the facts.
  if (q.metric === 'uniqueUsers') {
    return sql`select ${bucket('received_at')} as at, count(distinct user_hash) as value from interaction where ${within('received_at', [q])}${ch} group by 1`;
  }
  const p = LATENCY_PERCENTILES[q.metric];
  if (p === undefined) throw new Error(`unknown timeseries metric ${String(q.metric)}`);
  return percentileSql(
    sql`select ${bucket('ts')} as at, bucket, sum(n) as n from (${raw(hours.latency)}) latencies where ${within('ts', [q])}${ch} group by 1, 2`,
    p,
  );
}
