import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Page } from '../../domain/model/analytics.js';
import type { DeadLetter, DeadLetterPayload, NewDeadLetter } from '../../domain/model/dead-letter.js';
import { userKeyFor } from '../../domain/model/ids.js';
import type { ParticipantRef } from '../../domain/ports/conversation-archive.js';
import type { DeadLetterQuery, DeadLetterStore } from '../../domain/ports/dead-letter-store.js';
import { decodeDeadLetterCursor, encodeDeadLetterCursor, UUID } from '../dead-letter-cursor.js';
import { entityManager } from './database.js';
import { DeadLetterRow } from './entities.js';
import { at, run, sql } from './sql-fragment.js';

const READ = { disableIdentityMap: true } as const;

/** Dead letters in PostgreSQL: unique per (topic, message id), replays marked by a conditional UPDATE. */
export class PostgresDeadLetterStore implements DeadLetterStore {
  constructor(private readonly orm: MikroORM) {}

  async add(letter: NewDeadLetter): Promise<{ letter: DeadLetter; created: boolean }> {
    const em = entityManager(this.orm);
    const inserted = await em
      .createQueryBuilder(DeadLetterRow)
      .insert({
        id: randomUUID(),
        topic: letter.topic,
        messageId: letter.messageId,
        orderingKey: letter.orderingKey ?? null,
        conversationId: letter.conversationId,
        event: letter.event,
        attributes: letter.attributes,
        deliveryAttempts: letter.deliveryAttempts ?? null,
        deadLetteredAt: new Date(letter.deadLetteredAt),
        replayedAt: null,
        replays: 0,
      })
      .onConflict(['topic', 'messageId'])
      .ignore()
      .execute('run');
    const row = await em.findOneOrFail(DeadLetterRow, { topic: letter.topic, messageId: letter.messageId }, READ);
    return { letter: letterOf(row), created: inserted.affectedRows === 1 };
  }

  async list({ limit, cursor }: DeadLetterQuery): Promise<Page<DeadLetter>> {
    const after = cursor ? decodeDeadLetterCursor(cursor) : undefined;
    const at = after ? new Date(after.at) : undefined;
    const where = after ? { $or: [{ deadLetteredAt: { $lt: at } }, { deadLetteredAt: at, id: { $lt: after.id } }] } : {};
    const rows = await entityManager(this.orm).find(DeadLetterRow, where, { ...READ, orderBy: [{ deadLetteredAt: 'desc' }, { id: 'desc' }], limit: limit + 1 });
    const items = rows.slice(0, limit).map(letterOf);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeDeadLetterCursor(last) : null };
  }

  async get(id: string): Promise<DeadLetter | null> {
    if (!UUID.test(id)) return null;
    const row = await entityManager(this.orm).findOne(DeadLetterRow, { id }, READ);
    return row ? letterOf(row) : null;
  }

  async markReplayed(id: string, seenReplays: number, at: number): Promise<DeadLetter | null> {
    if (!UUID.test(id)) return null;
    const em = entityManager(this.orm);
    const updated = await em.nativeUpdate(DeadLetterRow, { id, replays: seenReplays }, { replays: seenReplays + 1, replayedAt: new Date(at) });
    if (updated === 0) return null;
    const row = await em.findOne(DeadLetterRow, { id }, READ);
    return row ? letterOf(row) : null;
  }

  async deleteByConversation(conversationId: string): Promise<number> {
    return entityManager(this.orm).nativeDelete(DeadLetterRow, { conversationId });
  }

  // A scan of the event JSON: dead letters are few, and erasure is rare.
  async deleteByParticipant({ channel, accountId, participantId }: ParticipantRef): Promise<number> {
    const rows = await run<{ id: string }>(
      entityManager(this.orm),
      sql`delete from dead_letter where
        (topic = 'inbound' and event->>'kind' = 'message' and event->'message'->>'channel' = ${channel}
          and event->'message'->>'accountId' = ${accountId} and event->'message'->'participant'->>'id' = ${participantId})
        or (topic = 'inbound' and event->>'kind' = 'status' and event->'status'->>'channel' = ${channel}
          and event->'status'->>'accountId' = ${accountId} and event->'status'->>'recipientId' = ${participantId})
        or (topic = 'interactions' and event->>'userKey' = ${userKeyFor(channel, accountId, participantId)})
        returning id`,
    );
    return rows.length;
  }

  async deleteDeadLetteredBefore(cutoff: number, limit: number): Promise<number> {
    const rows = await run<{ id: string }>(
      entityManager(this.orm),
      sql`delete from dead_letter where id = any(array(
        select id from dead_letter where dead_lettered_at < ${at(cutoff)} order by dead_lettered_at, id limit ${limit}
      )) returning id`,
    );
    return rows.length;
  }
}

function letterOf(row: DeadLetterRow): DeadLetter {
  // Rows are written only by `add`, from a decoded event of this topic.
  const payload = { topic: row.topic, event: row.event } as DeadLetterPayload;
  return {
    ...payload,
    id: row.id,
    messageId: row.messageId,
    ...(row.orderingKey !== null && row.orderingKey !== undefined ? { orderingKey: row.orderingKey } : {}),
    conversationId: row.conversationId,
    attributes: { ...row.attributes },
    ...(row.deliveryAttempts !== null && row.deliveryAttempts !== undefined ? { deliveryAttempts: row.deliveryAttempts } : {}),
    deadLetteredAt: row.deadLetteredAt.getTime(),
    replayedAt: row.replayedAt ? row.replayedAt.getTime() : null,
    replays: row.replays,
  };
}
