import type { MikroORM } from '@mikro-orm/postgresql';
import { query } from './postgres-chat-sql.js';
import { at, raw, sql, type Sql } from './sql-fragment.js';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: a batch never holds many locks, nor PGlite's one session for long. */
const BATCH = 500;

const bounded = (table: string, where: Sql): Sql =>
  sql`delete from ${raw(table)} where ctid = any(array(select ctid from ${raw(table)} where ${where} limit ${BATCH})) returning 1`;

/**
 * What Firestore's TTL expires, deleted by a sweep: messages, agent replies, outbound pointers and
 * spend days not written for `retentionDays`, claims made that long ago (a message still stored is
 * found by its row when its claim is gone), and conversations not written since whose messages and
 * agent replies are all gone (their handoff goes with them: a foreign key cascade).
 */
export async function purgeExpiredChats(orm: MikroORM, retentionDays: number, now: number): Promise<{ messages: number; conversations: number }> {
  const cutoff = at(now - retentionDays * DAY_MS);
  const messages = await repeat(orm, bounded('chat_message', sql`written_at < ${cutoff}`));
  await repeat(orm, bounded('chat_agent_reply', sql`written_at < ${cutoff}`));
  await repeat(orm, bounded('chat_outbound', sql`written_at < ${cutoff}`));
  await repeat(orm, bounded('chat_claim', sql`claimed_at < ${cutoff}`));
  await repeat(orm, bounded('chat_spend', sql`written_at < ${cutoff}`));
  const conversations = await repeat(
    orm,
    bounded(
      'chat_conversation',
      sql`written_at < ${cutoff} and not exists (select 1 from chat_message as m where m.conversation_id = chat_conversation.conversation_id)
        and not exists (select 1 from chat_agent_reply as r where r.conversation_id = chat_conversation.conversation_id)`,
    ),
  );
  return { messages, conversations };
}

/** Runs a bounded delete until a batch comes back short; the rows it deleted. */
async function repeat(orm: MikroORM, statement: Sql): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = (await query(orm, 'purgeExpired', statement)).length;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}
