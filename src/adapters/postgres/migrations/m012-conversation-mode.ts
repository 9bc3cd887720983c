import { Migration } from '@mikro-orm/migrations';

/**
 * Each switch of a conversation between the bot and a person (human handoff), as a fact: the list
 * shows a conversation's latest switch before the range's end, `bot` when it has none.
 */
export class M012ConversationMode extends Migration {
  override up(): void {
    this.addSql(`create table conversation_mode (
      event_id text collate "C" primary key,
      occurred_at timestamptz not null,
      channel text not null,
      account_id text not null,
      conversation_id text collate "C" not null,
      user_key text not null,
      mode text not null check (mode in ('bot', 'human'))
    )`);
    this.addSql('create index conversation_mode_conversation_idx on conversation_mode (conversation_id, occurred_at, event_id)');
    this.addSql('create index conversation_mode_user_idx on conversation_mode (user_key)');
  }

  override down(): void {
    this.addSql('drop table if exists conversation_mode');
  }
}
