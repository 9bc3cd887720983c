import { Migration } from '@mikro-orm/migrations';

/**
 * The embedded bus's outbox: a published event is a row before the listener answers 200, and stays
 * one until its consumer acks it (delete) or it is dead-lettered. `id` is the message id and the
 * publish order (inserts are serialised, so ids follow commit order); `attempts` counts claims and
 * fences the ack of a claim that lost its lease. Payload and attributes are stored as the JSON text
 * that was published: nothing queries inside them, and text costs least to write.
 */
export class M007MessageOutbox extends Migration {
  override up(): void {
    this.addSql(`create table message_outbox (
      id bigint generated always as identity primary key,
      topic text not null check (topic in ('inbound', 'interactions')),
      ordering_key text,
      payload text not null,
      attributes text not null,
      attempts integer not null default 0,
      available_at timestamptz not null default now(),
      leased_until timestamptz,
      published_at timestamptz not null default now()
    )`);
    // A key's head is the first of its rows: found by a skip scan over (topic, ordering_key).
    this.addSql('create index message_outbox_key_idx on message_outbox (topic, ordering_key, id) where ordering_key is not null');
    this.addSql('create index message_outbox_unordered_idx on message_outbox (topic, id) where ordering_key is null');
  }

  override down(): void {
    this.addSql('drop table if exists message_outbox');
  }
}
