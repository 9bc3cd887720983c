import { Migration } from '@mikro-orm/migrations';

/**
 * Who a conversation is with, as the analytics may show it: the masked participant
 * (`+49 170 •••• 4567`) and the WhatsApp profile name, never the whole number. Facts stored before
 * have neither (the list shows null until the conversation's next message). And how its last
 * delivery ended, from the statuses by conversation.
 */
export class M011ConversationParticipant extends Migration {
  override up(): void {
    this.addSql('alter table interaction add column participant text, add column profile_name text');
    this.addSql('alter table conversation_day add column participant text, add column profile_name text');
    // The list's last delivery outcome of a page's conversations: one index range each.
    this.addSql('create index delivery_status_conversation_idx on delivery_status (conversation_id, occurred_at)');
  }

  override down(): void {
    this.addSql('drop index if exists delivery_status_conversation_idx');
    this.addSql('alter table conversation_day drop column if exists profile_name, drop column if exists participant');
    this.addSql('alter table interaction drop column if exists profile_name, drop column if exists participant');
  }
}
