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
    // The claim, in a function so its plan is prepared once per connection, not planned at every call.
    this.addSql(`create function message_outbox_claim(claim_topics text[], claim_limit integer, lease_ms integer)
      returns table (id text, topic text, ordering_key text, payload text, attributes text, attempts integer)
      language plpgsql as $$
      begin
        return query
        with recursive keys as (
          (select m.topic, m.ordering_key from message_outbox m where m.ordering_key is not null order by m.topic, m.ordering_key limit 1)
          union all
          select n.topic, n.ordering_key from keys cross join lateral (
            select m.topic, m.ordering_key from message_outbox m
            where m.ordering_key is not null and (m.topic, m.ordering_key) > (keys.topic, keys.ordering_key)
            order by m.topic, m.ordering_key limit 1
          ) n
        ),
        ready as (
          select head.id from keys cross join lateral (
            select h.id from message_outbox h where h.topic = keys.topic and h.ordering_key = keys.ordering_key order by h.id limit 1
          ) head
          where keys.topic = any(claim_topics)
          union all
          (select u.id from message_outbox u
            where u.ordering_key is null and u.topic = any(claim_topics)
              and u.available_at <= now() and (u.leased_until is null or u.leased_until <= now())
            order by u.id limit claim_limit)
        ),
        claimed as (
          select o.id from message_outbox o
          where o.id in (select ready.id from ready) and o.available_at <= now() and (o.leased_until is null or o.leased_until <= now())
          order by o.id limit claim_limit
          for update skip locked
        )
        update message_outbox o set attempts = o.attempts + 1, leased_until = now() + lease_ms * interval '1 millisecond'
        from claimed where o.id = claimed.id
        returning o.id::text, o.topic, o.ordering_key, o.payload, o.attributes, o.attempts;
      end $$`);
  }

  override down(): void {
    this.addSql('drop function if exists message_outbox_claim(text[], integer, integer)');
    this.addSql('drop table if exists message_outbox');
  }
}
