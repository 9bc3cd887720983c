import type { TopicName } from '../../domain/ports/message-bus.js';
import { join, raw, sql, type Sql } from './sql-fragment.js';

/** A row to write: the event and attributes already serialised, as they will be delivered. */
export interface OutboxEntry {
  topic: TopicName;
  orderingKey: string | undefined;
  payload: string;
  attributes: string;
}

/** A claimed row. `attempts` counts this claim too, and fences what the claimer writes back. */
export interface ClaimedRow {
  id: string;
  topic: TopicName;
  ordering_key: string | null;
  payload: string;
  attributes: string;
  attempts: number;
}

/** A claim as written back: an ack or nack applies only while the row still carries this claim's count. */
export interface ClaimRef {
  id: string;
  attempts: number;
}

// Transaction-scoped advisory lock ("VocoOutb") that serialises publishers across processes, so
// ids are committed in id order and a key's head is never overtaken by a later-committed earlier id.
const PUBLISH_LOCK = raw(`${0x566f636f4f757462n}`);
const now = raw('now()');
const ms = (value: number): Sql => sql`(${Math.max(0, Math.round(value))} * interval '1 millisecond')`;
const topicList = (topics: readonly TopicName[]): Sql => join(topics.map((topic) => sql`${topic}`), ', ');
const claimList = (claims: readonly ClaimRef[]): Sql => join(claims.map((claim) => sql`(${claim.id}::bigint, ${claim.attempts}::integer)`), ', ');

/** One multi-row INSERT for a group of publishes (group commit), under the publish lock, ids in entry order. */
export function insertEntries(entries: readonly OutboxEntry[]): Sql {
  const values = join(entries.map((entry, i) => sql`(${i}, ${entry.topic}, ${entry.orderingKey ?? null}, ${entry.payload}, ${entry.attributes})`), ', ');
  return sql`with publish_lock as materialized (select pg_advisory_xact_lock(${PUBLISH_LOCK}) as locked)
    insert into message_outbox (topic, ordering_key, payload, attributes)
    select v.topic, v.ordering_key, v.payload, v.attributes
    from publish_lock cross join (values ${values}) as v(n, topic, ordering_key, payload, attributes)
    order by v.n
    returning id::text as id`;
}

/**
 * Claims up to `limit` deliverable rows in one statement (its own short transaction), by
 * `message_outbox_claim` (migration M007): the head of each ordering key (found by a skip scan over
 * the keys, so a long backlog of one key costs one probe) and the oldest unordered rows; those
 * available now and not leased are locked with `for update skip locked` (another consumer's claim
 * in progress is passed over), leased and counted.
 */
export function claimRows(topics: readonly TopicName[], limit: number, leaseMs: number): Sql {
  const list = join(topics.map((topic) => sql`${topic}`), ', ');
  return sql`select * from message_outbox_claim(array[${list}]::text[], ${limit}, ${Math.max(0, Math.round(leaseMs))})`;
}

const CLAIMED = raw('o.id::text as id, o.topic, o.ordering_key, o.payload, o.attributes, o.attempts');
const free = raw('o.available_at <= now() and (o.leased_until is null or o.leased_until <= now())');

/**
 * Claims rows this process has just inserted, by id: those of subscribed topics that head their
 * key (no earlier row of it left) and are free, at most `limit`. An index probe per row instead of
 * the walk over every key: a row behind an earlier one of its key is claimed when that one is acked.
 */
export function claimInserted(ids: readonly string[], topics: readonly TopicName[], limit: number, leaseMs: number): Sql {
  const idList = join(ids.map((id) => sql`${id}::bigint`), ', ');
  return sql`with claimed as (
      select o.id from message_outbox o
      where o.id in (${idList}) and o.topic in (${topicList(topics)}) and ${free}
        and (o.ordering_key is null or not exists (
          select 1 from message_outbox e where e.topic = o.topic and e.ordering_key = o.ordering_key and e.id < o.id))
      order by o.id limit ${limit}
      for update skip locked
    )
    update message_outbox o set attempts = o.attempts + 1, leased_until = ${now} + ${ms(leaseMs)}
    from claimed where o.id = claimed.id
    returning ${CLAIMED}`;
}

/**
 * Ack of a key's head and claim of the key's next row, in one statement: the row after it (its
 * snapshot still sees the deleted head, hence `id >` it), when free. Nothing when the ack no longer
 * holds (the lease was lost) or the key has no next row.
 */
export function ackAndClaimNext(claim: ClaimRef, leaseMs: number): Sql {
  return sql`with acked as (
      delete from message_outbox where id = ${claim.id}::bigint and attempts = ${claim.attempts}
      returning topic, ordering_key
    ), next_row as (
      select m.id from message_outbox m join acked a on m.topic = a.topic and m.ordering_key = a.ordering_key
      where m.id > ${claim.id}::bigint order by m.id limit 1
    ), claimed as (
      select o.id from message_outbox o where o.id = (select id from next_row) and ${free}
      for update skip locked
    )
    update message_outbox o set attempts = o.attempts + 1, leased_until = ${now} + ${ms(leaseMs)}
    from claimed where o.id = claimed.id
    returning ${CLAIMED}`;
}

/** Ack (or the end of a dead-lettered row): deletes the rows still held by these claims. */
export function deleteClaimed(claims: readonly ClaimRef[]): Sql {
  return sql`delete from message_outbox where (id, attempts) in (${claimList(claims)})`;
}

/** Nack: the row is free again after `delayMs`, its attempts kept. */
export function releaseClaim(claim: ClaimRef, delayMs: number): Sql {
  return sql`update message_outbox set leased_until = null, available_at = ${now} + ${ms(delayMs)}
    where id = ${claim.id}::bigint and attempts = ${claim.attempts}`;
}

/** Keeps the leases of deliveries still running. */
export function extendLeases(claims: readonly ClaimRef[], leaseMs: number): Sql {
  return sql`update message_outbox set leased_until = ${now} + ${ms(leaseMs)} where (id, attempts) in (${claimList(claims)})`;
}

/** Frees every lease (a database owned by one process, whose previous run was killed). */
export const releaseAllLeases = (): Sql => sql`update message_outbox set leased_until = null where leased_until is not null`;

export const countRows = (topics: readonly TopicName[]): Sql =>
  sql`select count(*)::integer as rows from message_outbox where topic in (${topicList(topics)})`;

/** Reclaims acked rows (and refreshes the planner's statistics); runs outside a transaction, blocks no writer. */
export const vacuumOutbox = (): Sql => raw('vacuum (analyze) message_outbox');
