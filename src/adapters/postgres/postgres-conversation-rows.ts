import type { Conversation } from '../../domain/model/conversation.js';
import { BOT_HANDOFF, type Handoff } from '../../domain/model/handoff.js';
import { conversationSchema, handoffSchema } from '../codec/chat-schemas.js';
import { decodeRow } from './postgres-chat-sql.js';
import { raw } from './sql-fragment.js';

// The rows of `chat_conversation` and `chat_handoff` as the archive and the handoff log read them.

export interface ConversationRow {
  conversation_id: string;
  channel: string;
  account_id: string;
  participant: unknown;
  created_at: number;
  last_message_at: number;
  message_count: number;
}

export const CONVERSATION_COLUMNS = raw('conversation_id, channel, account_id, participant, created_at, last_message_at, message_count');

export function conversationOf(row: ConversationRow): Conversation {
  const { conversation_id: id, account_id: accountId, created_at: createdAt, last_message_at: lastMessageAt, message_count: messageCount, channel, participant } = row;
  return { id, ...decodeRow(conversationSchema, 'chat_conversation', { channel, accountId, participant, createdAt, lastMessageAt, messageCount }) };
}

/** A `chat_handoff` row's columns; all null for a conversation without one (left join). */
export interface HandoffRow {
  mode: string | null;
  agent: string | null;
  since: number | null;
  waiting_since: number | null;
  requested_by: string | null;
  version: number | null;
}

/** The handoff columns of `chat_handoff as h`. */
export const HANDOFF_COLUMNS = raw('h.mode, h.agent, h.since, h.waiting_since, h.requested_by, h.version');

/** The handoff of a row, the bot's when the conversation has none; null columns are absent fields. */
export function handoffOf(row: HandoffRow): Handoff {
  if (row.mode === null) return { ...BOT_HANDOFF };
  const { mode, agent, since, waiting_since: waitingSince, requested_by: requestedBy, version } = row;
  const stored = { mode, agent, since, waitingSince, requestedBy, version: Number(version) };
  return decodeRow(handoffSchema, 'chat_handoff', Object.fromEntries(Object.entries(stored).filter(([, value]) => value !== null)));
}
