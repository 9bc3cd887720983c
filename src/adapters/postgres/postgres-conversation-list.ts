import type { EntityManager } from '@mikro-orm/postgresql';
import { costOf, type ConversationQuery, type ConversationSummary, type Page } from '../../domain/model/analytics.js';
import type { DeliveryState } from '../../domain/model/delivery-status.js';
import type { Channel } from '../../domain/model/ids.js';
import { decodeCursor, encodeCursor } from '../analytics-store-support.js';
import { activitySql, conversationTotalsSql, listedBeforeSql, type ListPosition } from './analytics-conversation-sql.js';
import { run } from './sql-fragment.js';

interface ConversationRow {
  id: string;
  channel: Channel;
  account_id: string;
  first_message_at: number;
  last_message_at: number;
  messages_in: number;
  messages_out: number;
  cost_usd: number;
  whatsapp_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
  participant: string | null;
  profile_name: string | null;
  last_delivery: DeliveryState | null;
}

/** Activity rows read per step of the walk, per conversation the page still needs. */
const ROWS_PER_CONVERSATION = 4;

/**
 * One page of conversations by (last activity desc, id asc) after the cursor: walks the range's
 * activity newest first until it has met `limit + 1` conversations not listed on an earlier page,
 * then reads those conversations' figures. The cost follows the page, not the range.
 */
export async function conversationPage(em: EntityManager, query: ConversationQuery, minStep = 64): Promise<Page<ConversationSummary>> {
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  const ids = await walk(em, query, cursor, query.limit + 1, minStep);
  if (ids.length === 0) return { items: [], nextCursor: null };
  const rows = await run<ConversationRow>(em, conversationTotalsSql(query, ids));
  const byId = new Map(rows.map((row) => [row.id, toConversation(row)]));
  const found = ids.map((id) => byId.get(id)).filter((c): c is ConversationSummary => c !== undefined);
  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: found.length > items.length && last ? encodeCursor(last) : null };
}

async function walk(em: EntityManager, query: ConversationQuery, cursor: ListPosition | undefined, wanted: number, minStep: number): Promise<string[]> {
  const ids: string[] = [];
  const met = new Set<string>();
  const step = Math.max(minStep, wanted * ROWS_PER_CONVERSATION);
  let position = cursor;
  for (;;) {
    const statement = activitySql(query, position, step);
    if (!statement) return ids;
    const rows = await run<{ id: string; at: number }>(em, statement);
    const fresh: string[] = [];
    for (const { id } of rows) {
      if (met.has(id)) continue;
      met.add(id);
      fresh.push(id);
    }
    // A conversation first met after the cursor may still have later activity: then it was listed before.
    const listed = cursor && fresh.length > 0 ? new Set((await run<{ id: string }>(em, listedBeforeSql(query, cursor, fresh))).map((r) => r.id)) : undefined;
    ids.push(...fresh.filter((id) => !listed?.has(id)));
    const last = rows.at(-1);
    if (ids.length >= wanted || rows.length < step || !last) return ids.slice(0, wanted);
    position = { at: Number(last.at), id: last.id };
  }
}

function toConversation(row: ConversationRow): ConversationSummary {
  return {
    id: row.id,
    channel: row.channel,
    accountId: row.account_id,
    participant: row.participant,
    profileName: row.profile_name,
    lastDelivery: row.last_delivery,
    firstMessageAt: Number(row.first_message_at),
    lastMessageAt: Number(row.last_message_at),
    messagesIn: Number(row.messages_in),
    messagesOut: Number(row.messages_out),
    tokens: { prompt: Number(row.prompt_tokens), completion: Number(row.completion_tokens) },
    ...costOf(Number(row.cost_usd), Number(row.whatsapp_usd)),
  };
}
