import type { MikroORM } from '@mikro-orm/postgresql';
import type { Conversation } from '../../domain/model/conversation.js';
import type { Handoff, HandoffChange } from '../../domain/model/handoff.js';
import type { ConversationMode } from '../../domain/model/interaction.js';
import type { MessagePatch } from '../../domain/model/message-record.js';
import type { HandoffLog, ModeClaim } from '../../domain/ports/handoff-log.js';
import { jsonb, query, recordOf, writtenNow, type RecordRow } from './postgres-chat-sql.js';
import { conversationOf, CONVERSATION_COLUMNS, HANDOFF_COLUMNS, handoffOf, type ConversationRow, type HandoffRow } from './postgres-conversation-rows.js';
import { patchParts, pointersSql } from './postgres-message-log.js';
import { raw, sql } from './sql-fragment.js';

/** A foreign key violation: the conversation was erased between the statement's read and its insert. */
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Handoffs on PostgreSQL, `chat_handoff` (M014): a row per conversation once its mode first
 * changed. A change is one conditional statement (insert when the expected version is 0, else an
 * update on `version`); the claim is one statement that locks the handoff row `for share` and
 * updates the message as the message log's transition does. A change takes the row lock the
 * claim's share lock excludes: whichever comes second waits and then reads what the first wrote
 * (PostgreSQL re-reads a locked row's newest version). A claim that finds no row (the bot) took no
 * lock; a first change racing it may commit first, the claim is then ordered before it.
 */
export class PostgresHandoffLog implements HandoffLog {
  constructor(private readonly orm: MikroORM) {}

  async handoff(conversationId: string): Promise<Handoff | null> {
    const [row] = await query<HandoffRow>(
      this.orm,
      'handoff',
      sql`select ${HANDOFF_COLUMNS} from chat_conversation as c left join chat_handoff as h on h.conversation_id = c.conversation_id
        where c.conversation_id = ${conversationId}`,
    );
    return row ? handoffOf(row) : null;
  }

  async replaceHandoff(conversationId: string, expectedVersion: number, next: HandoffChange): Promise<Handoff | null> {
    const { mode, agent = null, since, waitingSince = null, requestedBy = null } = next;
    const written = writtenNow();
    const statement =
      expectedVersion === 0
        ? sql`insert into chat_handoff as h (conversation_id, mode, agent, since, waiting_since, requested_by, version, written_at)
            select conversation_id, ${mode}, ${agent}, ${since}, ${waitingSince}, ${requestedBy}, 1, ${written} from chat_conversation where conversation_id = ${conversationId}
            on conflict (conversation_id) do nothing
            returning ${HANDOFF_COLUMNS}`
        : sql`update chat_handoff as h set mode = ${mode}, agent = ${agent}, since = ${since}, waiting_since = ${waitingSince}, requested_by = ${requestedBy},
              version = h.version + 1, written_at = ${written}
            where h.conversation_id = ${conversationId} and h.version = ${expectedVersion}
            returning ${HANDOFF_COLUMNS}`;
    try {
      const [row] = await query<HandoffRow>(this.orm, 'replaceHandoff', statement);
      return row ? handoffOf(row) : null;
    } catch (error) {
      const { sqlState, code } = (error ?? {}) as { sqlState?: unknown; code?: unknown };
      if (sqlState === FOREIGN_KEY_VIOLATION || code === FOREIGN_KEY_VIOLATION) return null;
      throw error;
    }
  }

  async claim(conversationId: string, messageId: string, expectedVersion: number, patches: Record<ConversationMode, MessagePatch>): Promise<ModeClaim | null> {
    const bot = patchParts(patches.bot);
    const human = patchParts(patches.human);
    const pick = (forHuman: string, forBot: string, type: string) => sql`(case when c.mode = 'human' then ${forHuman}::${raw(type)} else ${forBot}::${raw(type)} end)`;
    const ids = sql`(case when u.mode = 'human' then ${jsonb(patches.human.outboundIds ?? [])}::jsonb else ${jsonb(patches.bot.outboundIds ?? [])}::jsonb end)`;
    const [row] = await query<RecordRow & { mode: ConversationMode; handoff_mode: string | null } & Omit<HandoffRow, 'mode' | 'version'> & { handoff_version: number | null }>(
      this.orm,
      'claim',
      sql`with handoff as (
          select mode, agent, since, waiting_since, requested_by, version from chat_handoff where conversation_id = ${conversationId} for share
        ), chosen as (
          select coalesce((select mode from handoff), 'bot') as mode
        ), updated as (
          update chat_message set record = (record || ${pick(human.set, bot.set, 'jsonb')}) - ${pick(human.removedKeys, bot.removedKeys, 'text[]')},
            version = version + 1, written_at = ${writtenNow()}
          from chosen as c
          where conversation_id = ${conversationId} and message_id = ${messageId} and version = ${expectedVersion}
          returning conversation_id, message_id, record, version, written_at, c.mode
        ), ${pointersSql(ids)}
        select u.record, u.version, u.mode, h.mode as handoff_mode, h.agent, h.since, h.waiting_since, h.requested_by, h.version as handoff_version
        from updated as u left join handoff as h on true`,
    );
    if (!row) return null;
    const handoff = handoffOf({ ...row, mode: row.handoff_mode, version: row.handoff_version });
    return { mode: row.mode, handoff, record: recordOf(row) };
  }

  async waitingForHuman({ limit }: { limit: number }): Promise<Conversation[]> {
    if (limit <= 0) return [];
    const rows = await query<ConversationRow & HandoffRow>(
      this.orm,
      'waitingForHuman',
      sql`select ${CONVERSATION_COLUMNS}, ${HANDOFF_COLUMNS} from chat_handoff as h join chat_conversation using (conversation_id)
        where h.waiting_since is not null order by h.waiting_since, h.conversation_id limit ${Math.floor(limit)}`,
    );
    return rows.map((row) => ({ ...conversationOf(row), handoff: handoffOf(row) }));
  }
}
