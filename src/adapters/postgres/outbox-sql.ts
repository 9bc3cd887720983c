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
    order by v.n`;
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
