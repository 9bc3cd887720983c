import type { MikroORM } from '@mikro-orm/postgresql';
import type { Conversation } from '../../domain/model/conversation.js';
import type { MessageRecord } from '../../domain/model/message-record.js';
import type { ConversationArchive, ParticipantRef, TranscriptPosition } from '../../domain/ports/conversation-archive.js';
import { participantKeyOf, query, recordOf, type RecordRow } from './postgres-chat-sql.js';
import { conversationOf, CONVERSATION_COLUMNS, HANDOFF_COLUMNS, handoffOf, type ConversationRow, type HandoffRow } from './postgres-conversation-rows.js';
import { newestOf } from './postgres-message-log.js';
import { EMPTY, raw, sql } from './sql-fragment.js';

/** States a message holding a reply can be in: a silenced (`skipped`) message never got the limit reply. */
const REPLIED_STATES = raw(`('answered', 'sending', 'sent', 'failed', 'unsent', 'send-unknown')`);

/**
 * Conversations on PostgreSQL: the row with its counters, the transcript from the message rows,
 * a participant's conversations and window from the messages' pseudonymous participant key.
 */
export class PostgresConversationArchive implements ConversationArchive {
  constructor(private readonly orm: MikroORM) {}

  async getConversation(conversationId: string): Promise<Conversation | null> {
    const [row] = await query<ConversationRow & HandoffRow>(
      this.orm,
      'getConversation',
      sql`select ${CONVERSATION_COLUMNS}, ${HANDOFF_COLUMNS} from chat_conversation left join chat_handoff as h using (conversation_id) where conversation_id = ${conversationId}`,
    );
    return row ? { ...conversationOf(row), handoff: handoffOf(row) } : null;
  }

  async messages(conversationId: string, { limit }: { limit: number }): Promise<MessageRecord[]> {
    return limit <= 0 ? [] : newestOf(this.orm, 'messages', conversationId, EMPTY, limit);
  }

  async messagesAfter(conversationId: string, { after, limit }: { after?: TranscriptPosition; limit: number }): Promise<MessageRecord[]> {
    if (limit <= 0) return [];
    const from = after ? sql` and (received_at, sent_at, message_id) > (${after.receivedAt}::float8, ${after.sentAt}::float8, ${after.id})` : EMPTY;
    const rows = await query<RecordRow>(
      this.orm,
      'messagesAfter',
      sql`select record, version from chat_message where conversation_id = ${conversationId}${from}
        order by received_at, sent_at, message_id limit ${Math.floor(limit)}`,
    );
    return rows.map(recordOf);
  }

  async conversationsOf(participant: ParticipantRef): Promise<Conversation[]> {
    const rows = await query<ConversationRow>(
      this.orm,
      'conversationsOf',
      sql`select ${CONVERSATION_COLUMNS} from chat_conversation
        where conversation_id in (select conversation_id from chat_message where participant_key = ${participantKeyOf(participant)})
        order by conversation_id`,
    );
    return rows.map(conversationOf);
  }

  /** One index range (participant key, reception time): the count and the limit replies in one pass. */
  async participantWindow(
    participant: ParticipantRef,
    { after, upTo, except, note }: { after: number; upTo: number; except: string; note: string },
  ): Promise<{ messages: number; limitReplied: boolean }> {
    const [row] = await query<{ messages: number; limit_replied: boolean }>(
      this.orm,
      'participantWindow',
      sql`select count(*)::int as messages, coalesce(bool_or(message_id <> ${except} and record->>'note' = ${note}
          and record->'reply'->>'kind' = 'limit' and record->>'state' in ${REPLIED_STATES}), false) as limit_replied
        from chat_message where participant_key = ${participantKeyOf(participant)} and received_at > ${after} and received_at <= ${upTo}`,
    );
    return { messages: row?.messages ?? 0, limitReplied: row?.limit_replied ?? false };
  }

  /** One statement: the messages, their outbound pointers, the agent replies, the handoff and the conversation go together. The claims stay. */
  async eraseConversation(conversationId: string): Promise<{ messages: number }> {
    const [row] = await query<{ messages: number }>(
      this.orm,
      'eraseConversation',
      sql`with erased as (delete from chat_message where conversation_id = ${conversationId} returning 1),
        pointers as (delete from chat_outbound where conversation_id = ${conversationId}),
        agent_replies as (delete from chat_agent_reply where conversation_id = ${conversationId}),
        handoff as (delete from chat_handoff where conversation_id = ${conversationId}),
        conversation as (delete from chat_conversation where conversation_id = ${conversationId})
        select count(*)::int as messages from erased`,
    );
    return { messages: row?.messages ?? 0 };
  }
}
