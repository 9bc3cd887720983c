import { Migration } from '@mikro-orm/migrations';

/**
 * Dead-lettered Pub/Sub messages, for the dashboard and the CLI to list and replay. One row per
 * (topic, message id): the dead-letter push is at-least-once too. They carry the message text,
 * so erasure deletes them by conversation.
 */
export class M003DeadLetter extends Migration {
  override up(): void {
    this.addSql(`create table dead_letter (
      id uuid primary key,
      topic text not null check (topic in ('inbound', 'interactions')),
      message_id text not null,
      ordering_key text,
      conversation_id text not null,
      event jsonb not null,
      attributes jsonb not null,
      delivery_attempts integer,
      dead_lettered_at timestamptz not null,
      replayed_at timestamptz,
      replays integer not null default 0,
      unique (topic, message_id)
    )`);
    this.addSql('create index dead_letter_newest_idx on dead_letter (dead_lettered_at desc, id desc)');
    this.addSql('create index dead_letter_conversation_idx on dead_letter (conversation_id)');
  }

  override down(): void {
    this.addSql('drop table if exists dead_letter');
  }
}
