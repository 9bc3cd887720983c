import { Migration } from '@mikro-orm/migrations';

/** Facts, hourly/daily rollups for fast range summaries, and the administration tables. */
export class M001InitialSchema extends Migration {
  override up(): void {
    // `user_hash` and `failed` are derived in the database so the ingest statement and any bulk load
    // agree; the failure rule is the domain's (a failed or unknown send, or a fallback reply).
    this.addSql(`create table interaction (
      event_id text primary key,
      occurred_at timestamptz not null,
      received_at timestamptz not null,
      channel text not null,
      account_id text not null,
      conversation_id text collate "C" not null,
      user_key text not null,
      user_hash bigint not null generated always as (hashtextextended(user_key, 0)) stored,
      message_id text not null,
      message_type text not null,
      outcome text not null,
      reply_kind text,
      model text,
      prompt_tokens integer not null,
      completion_tokens integer not null,
      cost_usd double precision not null,
      latency_ms integer,
      failed boolean not null generated always as (outcome in ('failed', 'send-unknown') or coalesce(reply_kind = 'fallback', false)) stored,
      failure_reason text
    )`);
    this.addSql('create index interaction_received_at_idx on interaction (received_at, channel)');
    this.addSql('create index interaction_user_key_idx on interaction (user_key)');

    this.addSql(`create table delivery_status (
      event_id text primary key,
      occurred_at timestamptz not null,
      channel text not null,
      account_id text not null,
      conversation_id text not null,
      user_key text not null,
      outbound_id text not null,
      status text not null,
      pricing_category text,
      error_code integer
    )`);
    this.addSql('create index delivery_status_occurred_at_idx on delivery_status (occurred_at)');
    this.addSql('create index delivery_status_user_key_idx on delivery_status (user_key)');

    // Rollups, written in the same statement as the fact so they never drift from it. Hours and
    // days are UTC and stored as the timestamptz of their start.
    this.addSql(`create table interaction_hour (
      hour timestamptz not null,
      channel text not null,
      messages_in integer not null default 0,
      messages_out integer not null default 0,
      prompt_tokens bigint not null default 0,
      completion_tokens bigint not null default 0,
      cost_usd double precision not null default 0,
      failures integer not null default 0,
      primary key (hour, channel)
    )`);
    this.addSql(`create table failure_hour (
      hour timestamptz not null,
      channel text not null,
      reason text not null,
      count integer not null,
      primary key (hour, channel, reason)
    )`);
    // Reply latencies in logarithmic buckets of 1 % width: percentiles without sorting every row.
    // Hourly for short ranges and edges, daily so a month reads thousands of rows, not millions.
    for (const [table, unit] of [['latency_hour', 'hour'], ['latency_day', 'day']]) {
      this.addSql(`create table ${table} (
        ${unit} timestamptz not null,
        channel text not null,
        bucket integer not null,
        count integer not null,
        primary key (${unit}, channel, bucket)
      )`);
    }
    // One row per conversation, user and day active: distinct users and conversations over whole
    // days, and the conversation list, without reading every message.
    this.addSql(`create table conversation_day (
      day timestamptz not null,
      channel text not null,
      conversation_id text collate "C" not null,
      user_hash bigint not null,
      account_id text not null,
      first_at timestamptz not null,
      last_at timestamptz not null,
      messages_in integer not null,
      messages_out integer not null,
      cost_usd double precision not null,
      primary key (day, channel, conversation_id, user_hash)
    )`);
    // Distinct users and conversations over whole days: one row per conversation, user and period
    // of 64 UTC days with a bit per active day, so a month reads one or two rows per user instead of
    // one per user and day.
    this.addSql(`create table user_activity (
      period integer not null,
      channel text not null,
      conversation_id text collate "C" not null,
      user_hash bigint not null,
      days bigint not null,
      primary key (period, channel, conversation_id, user_hash)
    )`);

    this.addSql(`create table api_key (
      id uuid primary key,
      name text not null,
      prefix text not null unique,
      hash bytea not null,
      scopes text[] not null,
      created_at timestamptz not null,
      created_by text,
      last_used_at timestamptz,
      revoked_at timestamptz
    )`);
    this.addSql(`create table admin_user (
      id uuid primary key,
      email text not null unique,
      password_hash text not null,
      created_at timestamptz not null,
      last_login_at timestamptz
    )`);
    this.addSql(`create table admin_session (
      id text primary key,
      user_id uuid not null references admin_user (id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null
    )`);
    this.addSql('create index admin_session_user_idx on admin_session (user_id)');
    this.addSql(`create table login_attempt (
      id bigserial primary key,
      subject text not null,
      at timestamptz not null,
      succeeded boolean not null
    )`);
    this.addSql('create index login_attempt_subject_idx on login_attempt (subject, at)');
  }

  override down(): void {
    for (const table of ['login_attempt', 'admin_session', 'admin_user', 'api_key', 'user_activity', 'conversation_day', 'latency_day', 'latency_hour', 'failure_hour', 'interaction_hour', 'delivery_status', 'interaction']) {
      this.addSql(`drop table if exists ${table}`);
    }
  }
}
