import { Migration } from '@mikro-orm/migrations';

/**
 * The conversations list walks activity newest first and stops after a page: whole days by
 * `conversation_day`'s last message of the day, the partial edge days by the facts' own time index.
 * Its page's figures and the check that a conversation was not listed on an earlier page read
 * by conversation. So a page costs a few hundred index entries however many conversations the
 * range holds, instead of regrouping every fact of the month.
 */
export class M008ConversationList extends Migration {
  override up(): void {
    this.addSql('create index conversation_day_last_idx on conversation_day (last_at desc, conversation_id)');
    this.addSql('create index conversation_day_conversation_idx on conversation_day (conversation_id, last_at)');
    this.addSql('create index interaction_conversation_idx on interaction (conversation_id, received_at)');
  }

  override down(): void {
    for (const index of ['interaction_conversation_idx', 'conversation_day_conversation_idx', 'conversation_day_last_idx']) {
      this.addSql(`drop index if exists ${index}`);
    }
  }
}
