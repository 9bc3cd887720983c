import type { EntityManager } from '@mikro-orm/postgresql';
import { costOf, hasFilter, matchesFilter, type AnalyticsQuery, type ConversationQuery, type ConversationSummary, type Page } from '../../domain/model/analytics.js';
import type { DeliveryState } from '../../domain/model/delivery-status.js';
import type { Channel } from '../../domain/model/ids.js';
import type { ConversationMode } from '../../domain/model/interaction.js';
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
  mode: ConversationMode;
}

/** Activity rows read per step of the walk, per conversation the page still needs. */
const ROWS_PER_CONVERSATION = 4;
/** A filtered walk reads more per step as it goes, up to this many rows, as a rare match may lie far back. */
const MAX_FILTERED_STEP = 4_096;

/**
 * One page of conversations by (last activity desc, id asc) after the cursor: walks the range's
 * activity newest first, reading the figures of each step's conversations not listed on an earlier
 * page, until it has `limit + 1` that the filter asks for. The cost follows the page, not the range
 * (a filter that few conversations match walks further).
 */
export async function conversationPage(em: EntityManager, query: ConversationQuery, minStep = 64): Promise<Page<ConversationSummary>> {
  const wanted = query.limit + 1;
  const found: ConversationSummary[] = [];
  for await (const ids of walk(em, query, wanted, minStep)) {
    const fresh = hasFilter(query) ? ids : ids.slice(0, wanted - found.length);
    const rows = await run<ConversationRow>(em, conversationTotalsSql(query, fresh));
    const byId = new Map(rows.map((row) => [row.id, toConversation(row)]));
    for (const id of fresh) {
      const conversation = byId.get(id);
      if (conversation && matchesFilter(conversation, query)) found.push(conversation);
    }
    if (found.length >= wanted) break;
  }
  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: found.length > items.length && last ? encodeCursor(last) : null };
}

/** One conversation's figures over the range; null when it has no message there. */
export async function conversationSummary(em: EntityManager, conversationId: string, query: AnalyticsQuery): Promise<ConversationSummary | null> {
  const [row] = await run<ConversationRow>(em, conversationTotalsSql(query, [conversationId]));
  return row ? toConversation(row) : null;
}

/** The conversations of each step of the walk, in list order, each met once and none listed on an earlier page. */
async function* walk(em: EntityManager, query: ConversationQuery, wanted: number, minStep: number): AsyncIterable<string[]> {
  const cursor: ListPosition | undefined = query.cursor ? decodeCursor(query.cursor) : undefined;
  const met = new Set<string>();
  let step = Math.max(minStep, wanted * ROWS_PER_CONVERSATION);
  let position = cursor;
  for (;;) {
    const statement = activitySql(query, position, step);
    if (!statement) return;
    const rows = await run<{ id: string; at: number }>(em, statement);
    const fresh: string[] = [];
    for (const { id } of rows) {
      if (met.has(id)) continue;
      met.add(id);
      fresh.push(id);
    }
    // A conversation first met after the cursor may still have later activity: then it was listed before.
    const listed = cursor && fresh.length > 0 ? new Set((await run<{ id: string }>(em, listedBeforeSql(query, cursor, fresh))).map((r) => r.id)) : undefined;
    const ids = fresh.filter((id) => !listed?.has(id));
    if (ids.length > 0) yield ids;
    const last = rows.at(-1);
    if (rows.length < step || !last) return;
    position = { at: Number(last.at), id: last.id };
    if (hasFilter(query)) step = Math.min(MAX_FILTERED_STEP, step * 2);
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
    mode: row.mode,
    firstMessageAt: Number(row.first_message_at),
    lastMessageAt: Number(row.last_message_at),
    messagesIn: Number(row.messages_in),
    messagesOut: Number(row.messages_out),
    tokens: { prompt: Number(row.prompt_tokens), completion: Number(row.completion_tokens) },
    ...costOf(Number(row.cost_usd), Number(row.whatsapp_usd)),
  };
}
