import { Migration } from '@mikro-orm/migrations';

/**
 * Each agent reply (human handoff) whose send ended, as a fact: the summary counts them by outcome,
 * the conversations list per conversation, both by when the send ended. Few beside the messages,
 * so they are counted from the facts, without rollups.
 */
export class M015AgentReply extends Migration {
  override up(): void {
    this.addSql(`create table agent_reply (
      event_id text collate "C" primary key,
      occurred_at timestamptz not null,
      channel text not null,
      account_id text not null,
      conversation_id text collate "C" not null,
      user_key text not null,
      reply_id text not null,
      outcome text not null check (outcome in ('sent', 'failed', 'send-unknown')),
      failure_reason text,
      latency_ms integer not null
    )`);
    this.addSql('create index agent_reply_occurred_idx on agent_reply (occurred_at, channel)');
    this.addSql('create index agent_reply_conversation_idx on agent_reply (conversation_id, occurred_at)');
    this.addSql('create index agent_reply_user_idx on agent_reply (user_key)');
  }

  override down(): void {
    this.addSql('drop table if exists agent_reply');
  }
}
