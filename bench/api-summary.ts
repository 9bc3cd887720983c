// Analytics summary over the last 30 days of 1,000,000 interactions: PostgresAnalyticsStore.summary
// (rollups plus partial edges) against a naive full-scan query over `interaction`, measured in the
// same run on a throwaway PostgreSQL. Bounded: about two minutes. Usage: npx tsx bench/api-summary.ts
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { rollupUpserts } from '../src/adapters/postgres/analytics-write-sql.js';
import { entityManager, openDatabase, type Database } from '../src/adapters/postgres/database.js';
import { PostgresAnalyticsStore } from '../src/adapters/postgres/postgres-analytics-store.js';
import { PERCENTILE_RELATIVE_ERROR, type AnalyticsSummary } from '../src/domain/model/analytics.js';
import { QueryAnalytics } from '../src/domain/use-cases/query-analytics.js';
import { startPostgres, type RunningPostgres } from '../test/support/postgres-server.js';

process.env.METADATA_SERVER_DETECTION = 'none';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const USERS = 50_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARM_UP = 3;
const DAY = 86_400_000;

const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));

// Users by a log-uniform rank (Zipf-like: user k sends about 1/k of the top user's messages), one
// channel per user (every fifth on the API), outcomes mostly sent with some failures, skips and
// fallbacks, latencies log-uniform-ish between 200 and 8000 ms. Inserted in time order, as facts arrive.
const SEED_SQL = `insert into interaction (event_id, occurred_at, received_at, channel, account_id, conversation_id, user_key, message_id,
    message_type, outcome, reply_kind, model, prompt_tokens, completion_tokens, cost_usd, latency_ms, failure_reason, participant, profile_name)
  select 'message:bench:' || g, received_at + coalesce(latency, 0) * interval '1 millisecond', received_at, channel, 'acct-' || channel,
    'conv-' || channel || '-' || u, 'user-' || u, 'wamid.bench.' || g, 'text', outcome,
    case when outcome = 'skipped' then null when outcome = 'sent' and r_kind < 0.01 then 'fallback' else 'ai' end,
    'gpt-bench', prompt, completion, (prompt * 0.15 + completion * 0.6) / 1e6, case when outcome = 'skipped' then null else latency end,
    case when outcome = 'failed' then (case when r_kind < 0.5 then 'reply_send_failed' else 'completion_failed' end)
      when outcome = 'sent' and r_kind < 0.01 then 'completion_failed' end,
    case when channel = 'api' then 'cu••••' || lpad((u % 100)::text, 2, '0') else '+49 170 •••• ' || lpad((u % 10000)::text, 4, '0') end,
    case when channel = 'whatsapp' and u % 3 > 0 then 'Customer ' || u end
  from (
    select g, u, case when u % 5 = 0 then 'api' else 'whatsapp' end as channel,
      date_trunc('milliseconds', ?::timestamptz - r_time * interval '30 days') as received_at,
      case when r_outcome < 0.02 then 'failed' when r_outcome < 0.03 then 'send-unknown' when r_outcome < 0.05 then 'skipped'
        when r_outcome < 0.06 then 'unsent' else 'sent' end as outcome,
      r_kind, round(200 * exp(power(r_latency, 1.5) * ln(40)))::integer as latency,
      50 + floor(r_tokens * 1950)::integer as prompt, 10 + floor(r_tokens * r_tokens * 490)::integer as completion
    from (
      select g, floor(exp(random() * ln(${USERS})))::integer as u, random() as r_time, random() as r_outcome, random() as r_kind,
        random() as r_latency, random() as r_tokens
      from generate_series(1, ${ROWS}) as g
    ) draws
  ) facts
  order by received_at`;

// What WhatsApp charged: a template delivered in about 3 % of the WhatsApp conversations' turns
// (utility mostly, some marketing), priced at German list rates.
const CHARGES_SQL = `insert into whatsapp_charge (channel, outbound_id, occurred_at, account_id, conversation_id, user_key, category, market, usd)
  select channel, 'wamid.bench.template.' || message_id, occurred_at, account_id, conversation_id, user_key, category, 'DE',
    case when category = 'utility' then 0.055 else 0.1365 end
  from (select *, case when random() < 0.7 then 'utility' else 'marketing' end as category
    from interaction where channel = 'whatsapp' and outcome = 'sent' and random() < 0.03) templates`;

// A person took over about 2 % of the conversations at some point of the month; some handed back.
const MODES_SQL = `insert into conversation_mode (event_id, occurred_at, channel, account_id, conversation_id, user_key, mode)
  select 'mode:bench:' || conversation_id || ':' || n, at + n * interval '1 hour', channel, account_id, conversation_id, user_key,
    case when n = 0 then 'human' else 'bot' end
  from (select distinct on (conversation_id) conversation_id, channel, account_id, user_key, received_at as at
    from interaction where hashtext(conversation_id) % 50 = 0 order by conversation_id, received_at) taken,
  generate_series(0, case when hashtext(conversation_id) % 100 = 0 then 1 else 0 end) as n`;

// The baseline: what one would write without rollups. percentile_disc is the nearest rank.
const NAIVE_SQL = `select count(*)::float8 as messages_in, (count(*) filter (where outcome = 'sent'))::float8 as messages_out,
    count(distinct user_key)::float8 as users, count(distinct conversation_id)::float8 as conversations,
    coalesce(sum(prompt_tokens), 0)::float8 as prompt, coalesce(sum(completion_tokens), 0)::float8 as completion,
    coalesce(sum(cost_usd), 0)::float8 as cost, (count(*) filter (where failed))::float8 as failures,
    percentile_disc(array[0.5, 0.95, 0.99]) within group (order by latency_ms) filter (where latency_ms is not null and outcome <> 'skipped') as latencies,
    (select coalesce(sum(usd), 0)::float8 from whatsapp_charge where occurred_at >= ?::timestamptz and occurred_at < ?::timestamptz) as whatsapp
  from interaction where received_at >= ?::timestamptz and received_at < ?::timestamptz`;

// The list's baseline: what the store did before it walked activity (regroups every conversation of the range per page).
const NAIVE_PAGE_SQL = `with facts as (
    select conversation_id, channel, account_id, first_at, last_at, messages_in, messages_out, cost_usd
    from conversation_day where day >= ?::timestamptz and day < ?::timestamptz
    union all
    select conversation_id, channel, account_id, received_at, received_at, 1, (outcome = 'sent')::integer, cost_usd
    from interaction where (received_at >= ?::timestamptz and received_at < ?::timestamptz) or (received_at >= ?::timestamptz and received_at < ?::timestamptz)
  ), conversations as (
    select conversation_id as id, min(channel) as channel, min(account_id) as account_id, min(first_at) as first_at, max(last_at) as last_at,
      sum(messages_in)::float8 as messages_in, sum(messages_out)::float8 as messages_out, sum(cost_usd)::float8 as cost_usd
    from facts group by conversation_id
  )
  select id, channel, account_id, (extract(epoch from first_at) * 1000)::float8 as first_message_at,
    (extract(epoch from last_at) * 1000)::float8 as last_message_at, messages_in, messages_out, cost_usd
  from conversations order by last_at desc, id limit 50`;

interface NaiveRow {
  messages_in: number;
  messages_out: number;
  users: number;
  conversations: number;
  prompt: number;
  completion: number;
  cost: number;
  whatsapp: number;
  failures: number;
  latencies: number[] | null;
}

let server: RunningPostgres | undefined;
let db: Database | undefined;
try {
  const started = performance.now();
  server = await startPostgres();
  db = await openDatabase({ url: server.url });
  const orm = db.orm;
  const execute = <T>(sql: string, params: unknown[] = []) => entityManager(orm).execute<T[]>(sql, params);
  const [{ version }] = (await execute<{ version: string }>('select version()')) as [{ version: string }];

  const seedStarted = performance.now();
  await execute(SEED_SQL, [new Date().toISOString()]);
  await execute(CHARGES_SQL);
  await execute(MODES_SQL);
  const seedSeconds = seconds(seedStarted);
  const rollupStarted = performance.now();
  // The very statements `record` runs on its one inserted row, here over every fact at once.
  for (const statement of rollupUpserts('interaction')) await execute(statement);
  await execute('vacuum analyze');
  const rollupSeconds = seconds(rollupStarted);
  const sizes = await execute<{ table: string; rows: number }>(
    `select relname as table, n_live_tup::float8 as rows from pg_stat_user_tables
     where relname in ('interaction', 'interaction_hour', 'failure_hour', 'latency_hour', 'latency_day', 'conversation_day', 'user_activity', 'whatsapp_charge', 'conversation_mode') order by relname`,
  );

  const store = new PostgresAnalyticsStore(orm);
  const naive = async (from: number, to: number) => {
    const range = [new Date(from).toISOString(), new Date(to).toISOString()];
    const [row] = await execute<NaiveRow>(NAIVE_SQL, [...range, ...range]);
    return row!;
  };

  // The rollups must say what the facts say: a sample range cut mid-hour, and the month.
  const to = Date.now();
  const from = to - 30 * DAY;
  const sample = { from: to - 3.5 * DAY + 17 * 60_000 + 123, to: to - 1.2 * DAY - 5 * 60_000 };
  const verified = [];
  for (const range of [sample, { from, to }]) {
    const [summary, expected, reasons] = await Promise.all([
      store.summary(range),
      naive(range.from, range.to),
      execute<{ reason: string; count: number }>(
        `select replace(coalesce(failure_reason, outcome), '-', '_') as reason, count(*)::float8 as count from interaction
         where failed and received_at >= ?::timestamptz and received_at < ?::timestamptz group by 1`,
        [new Date(range.from).toISOString(), new Date(range.to).toISOString()],
      ),
    ]);
    verify(summary, expected);
    const byReason = Object.fromEntries(reasons.map((r) => [r.reason, r.count]));
    if (JSON.stringify(Object.entries(summary.failures.byReason).sort()) !== JSON.stringify(Object.entries(byReason).sort())) {
      throw new Error(`rollups disagree with the facts on failures by reason: ${JSON.stringify(summary.failures.byReason)} != ${JSON.stringify(byReason)}`);
    }
    verified.push({ range: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() }, summary });
  }

  const storeTimes = await time(() => store.summary({ from, to }));
  const naiveTimes = await time(() => naive(from, to));
  const list = await conversationList(store, execute, from, to);
  const others = await otherReadsAndWrites(store, from, to);
  const result = {
    bench: 'api-summary',
    command: 'npx tsx bench/api-summary.ts',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
    postgres: { version, via: server.via },
    data: { interactions: ROWS, users: USERS, days: 30, seedSeconds, rollupSeconds, tableRows: Object.fromEntries(sizes.map((s) => [s.table, s.rows])) },
    query: 'summary of the last 30 days, to = now (unaligned)',
    runs: RUNS,
    warmUp: WARM_UP,
    storeSummaryMs: stats(storeTimes),
    naiveFullScanMs: stats(naiveTimes),
    ratioNaiveP95OverStoreP95: Number((stats(naiveTimes).p95 / stats(storeTimes).p95).toFixed(1)),
    conversationList: list,
    otherOperationsMs: others,
    verified,
    totalSeconds: seconds(started),
  };
  console.table({ 'PostgresAnalyticsStore.summary': result.storeSummaryMs, 'naive full scan': result.naiveFullScanMs });
  console.log(`naive p95 / store p95 = ${result.ratioNaiveP95OverStoreP95}  (seed ${seedSeconds} s, rollups ${rollupSeconds} s, total ${result.totalSeconds} s)`);
  console.log('conversations list (ms):', JSON.stringify(list));
  console.log('other operations (ms):', JSON.stringify(others));
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/api-summary.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await db?.close();
  await server?.stop();
}

// The conversations list on the same month, a page of 50: the first page, the 20th (reached by its
// cursor), and the baseline (the regrouping query the store used before), which must agree with page 1.
async function conversationList(store: PostgresAnalyticsStore, execute: <T>(sql: string, params?: unknown[]) => Promise<T[]>, from: number, to: number) {
  const day = (ms: number, round: (n: number) => number) => new Date(round(ms / DAY) * DAY).toISOString();
  const [firstDay, lastDay] = [day(from, Math.ceil), day(to, Math.floor)];
  const naivePage = () => execute<{ id: string }>(NAIVE_PAGE_SQL, [firstDay, lastDay, new Date(from).toISOString(), firstDay, lastDay, new Date(to).toISOString()]);
  const first = await store.conversations({ from, to, limit: 50 });
  const expected = (await naivePage()).map((row) => row.id);
  if (JSON.stringify(first.items.map((c) => c.id)) !== JSON.stringify(expected)) throw new Error('the conversations list disagrees with the regrouping query on the first page');
  let cursor = first.nextCursor;
  for (let page = 2; page < 20 && cursor; page += 1) cursor = (await store.conversations({ from, to, limit: 50, cursor })).nextCursor;
  if (!cursor) throw new Error('fewer than 20 pages of conversations');
  const twentieth = cursor;
  const firstPage = stats(await time(() => store.conversations({ from, to, limit: 50 })));
  const naive = stats(await time(naivePage));
  // Filtered: a common filter fills its page from the newest activity; a rare one walks far back.
  const filtered = { mode: 'human' as const, search: '+49 170 •••• 00' };
  const matches = {
    modeHuman: (await store.conversations({ from, to, limit: 50, mode: filtered.mode })).items.length,
    searchOnePercent: (await store.conversations({ from, to, limit: 50, search: filtered.search })).items.length,
    searchRare: (await store.conversations({ from, to, limit: 50, search: '4242' })).items.length,
  };
  return {
    firstPage50: firstPage,
    twentiethPage50: stats(await time(() => store.conversations({ from, to, limit: 50, cursor: twentieth }))),
    naiveRegroupFirstPage50: naive,
    ratioStoreP95OverNaiveP95: Number((firstPage.p95 / naive.p95).toFixed(3)),
    filtered: {
      matchesOnFirstPage: matches,
      modeHumanFirstPage50: stats(await time(() => store.conversations({ from, to, limit: 50, mode: filtered.mode }), 10)),
      searchOnePercentFirstPage50: stats(await time(() => store.conversations({ from, to, limit: 50, search: filtered.search }), 10)),
      searchRareFirstPage50: stats(await time(() => store.conversations({ from, to, limit: 50, search: '4242' }), 5)),
    },
  };
}

// For information (no baseline): the other reads on the same month, and recording one fact.
async function otherReadsAndWrites(store: PostgresAnalyticsStore, from: number, to: number) {
  const days = { from: Math.ceil(from / DAY) * DAY, to: Math.floor(to / DAY) * DAY };
  const hours = { from: Math.ceil(from / 3_600_000) * 3_600_000, to: Math.floor(to / 3_600_000) * 3_600_000 };
  const exportStarted = performance.now();
  let exported = 0;
  for await (const conversation of store.exportConversations({ from, to })) exported += conversation.messagesIn > 0 ? 1 : 0;
  const exportMs = performance.now() - exportStarted;
  let n = 0;
  const record = () => {
    n += 1;
    const at = to - n;
    return store.record({
      type: 'message', eventId: `message:bench:record-${n}`, occurredAt: at, receivedAt: at, channel: 'whatsapp', accountId: 'acct-whatsapp',
      conversationId: `conv-whatsapp-${n % 5000}`, userKey: `user-${n % 5000}`, messageId: `wamid.record-${n}`, messageType: 'text',
      outcome: 'sent', replyKind: 'ai', model: 'gpt-bench', usage: { prompt: 500, completion: 80 }, costUsd: 0.0001, latencyMs: 1200,
    });
  };
  return {
    exportConversations: { conversations: exported, ms: Number(exportMs.toFixed(0)) },
    // The summary's opt-in percentiles of one conversation's cost (include=conversationCosts): a regroup of the range by conversation.
    summaryWithConversationCosts: stats(await time(() => store.summary({ from, to }, { conversationCosts: true }), 5)),
    timeseriesDailyUniqueUsers: stats(await time(() => store.timeseries({ ...days, metric: 'uniqueUsers', interval: 'day' }), 5)),
    timeseriesHourlyLatencyP95: stats(await time(() => store.timeseries({ ...hours, metric: 'latencyP95', interval: 'hour' }), 5)),
    // The dashboard's days in a time zone: Berlin's whole-hour offset reads the hourly rollups, Kolkata's half hour the facts.
    timeseriesDailyInZones: await zonedSeries(store, from, to),
    recordOneMessage: stats(await time(record, 500)),
  };
}

async function zonedSeries(store: PostgresAnalyticsStore, from: number, to: number) {
  const query = new QueryAnalytics(store);
  const zones: Record<string, Record<string, ReturnType<typeof stats>>> = {};
  for (const zone of ['Europe/Berlin', 'Asia/Kolkata']) {
    zones[zone] = {};
    for (const metric of ['messagesIn', 'latencyP95'] as const) {
      zones[zone][metric] = stats(await time(() => query.timeseries({ from, to, metric, interval: 'day', timeZone: zone }), 5));
    }
  }
  return zones;
}

async function time(f: () => Promise<unknown>, runs = RUNS): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i += 1) await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times;
}

function stats(times: number[]): { p50: number; p95: number; min: number; max: number } {
  const sorted = times.toSorted((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
  const ms = (n: number) => Number(n.toFixed(1));
  return { p50: ms(rank(50)), p95: ms(rank(95)), min: ms(sorted[0]!), max: ms(sorted.at(-1)!) };
}

function verify(actual: AnalyticsSummary, expected: NaiveRow): void {
  const same = (name: string, a: number, b: number, tolerance = 0) => {
    if (Math.abs(a - b) > tolerance) throw new Error(`rollups disagree with the facts on ${name}: ${a} != ${b}`);
  };
  same('messagesIn', actual.messagesIn, expected.messages_in);
  same('messagesOut', actual.messagesOut, expected.messages_out);
  same('uniqueUsers', actual.uniqueUsers, expected.users);
  same('conversations', actual.conversations, expected.conversations);
  same('tokens.prompt', actual.tokens.prompt, expected.prompt);
  same('tokens.completion', actual.tokens.completion, expected.completion);
  same('costBreakdown.aiUsd', actual.costBreakdown.aiUsd, expected.cost, 1e-6);
  same('costBreakdown.whatsappUsd', actual.costBreakdown.whatsappUsd, expected.whatsapp, 1e-6);
  same('costUsd', actual.costUsd, expected.cost + expected.whatsapp, 1e-6);
  same('failures', actual.failures.total, expected.failures);
  const [p50, p95, p99] = expected.latencies ?? [];
  for (const [name, a, b] of [['p50', actual.replyLatencyMs.p50, p50], ['p95', actual.replyLatencyMs.p95, p95], ['p99', actual.replyLatencyMs.p99, p99]] as const) {
    same(`latency ${name}`, a ?? NaN, b ?? NaN, Math.max(1, (b ?? 0) * PERCENTILE_RELATIVE_ERROR));
  }
}
