import { Migration } from '@mikro-orm/migrations';

/**
 * Each tool the model called while composing a reply, as a fact (one per call, keyed by the call):
 * the summary counts them by outcome with their latency, the conversations list per conversation,
 * both by when the call happened. Counted from the facts, without rollups, like agent replies.
 */
export class M016ToolCall extends Migration {
  override up(): void {
    this.addSql(`create table tool_call (
      event_id text collate "C" primary key,
      occurred_at timestamptz not null,
      channel text not null,
      account_id text not null,
      conversation_id text collate "C" not null,
      user_key text not null,
      call_id text not null,
      message_id text not null,
      tool text not null,
      outcome text not null check (outcome in ('ok', 'failed', 'unknown', 'invalid')),
      failure_reason text,
      latency_ms integer
    )`);
    this.addSql('create index tool_call_occurred_idx on tool_call (occurred_at, channel)');
    this.addSql('create index tool_call_conversation_idx on tool_call (conversation_id, occurred_at)');
    this.addSql('create index tool_call_user_idx on tool_call (user_key)');
  }

  override down(): void {
    this.addSql('drop table if exists tool_call');
  }
}
