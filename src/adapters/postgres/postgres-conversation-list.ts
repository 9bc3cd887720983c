import type { EntityManager } from '@mikro-orm/postgresql';
import { costOf, hasFilter, matchesFilter, type AnalyticsQuery, type ConversationQuery, type ConversationSummary, type Page } from '../../domain/model/analytics.js';
import type { DeliveryState } from '../../domain/model/delivery-status.js';
import type { Channel } from '../../domain/model/ids.js';
import type { ConversationMode } from '../../domain/model/interaction.js';
import { compareIds, decodeCursor, encodeCursor } from '../analytics-store-support.js';
import { activitySql, candidatesSql, conversationTotalsSql, listedBeforeSql, searchMatchesSql, type ListPosition } from './analytics-conversation-sql.js';
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
  agent_replies: number;
  tool_calls: number;
}

/** Activity rows read per step of the walk, per conversation the page still needs. */
const ROWS_PER_CONVERSATION = 4;
/** A filtered walk reads more per step as it goes, up to this many rows, as a rare match may lie far back. */
const MAX_FILTERED_STEP = 4_096;

/** How the list reads: the fewest activity rows per step of its walk; how many conversations a search may match and still be listed from their figures. */
export interface ListTuning {
  minStep: number;
  searchCandidates: number;
}

export const LIST_TUNING: ListTuning = { minStep: 64, searchCandidates: 2_000 };

/**
 * One page of conversations by (last activity desc, id asc) after the cursor. A search first finds
 * the conversations with a matching row in the range (one pass over the range's rows): when they
 * are few, the page comes from their figures. Otherwise the list walks the range's activity newest
 * first, reading the figures of each step's conversations that are not listed on an earlier page
 * and that the filter may ask for, until it has `limit + 1` matches. Unfiltered, the cost follows
 * the page, not the range; a rare mode or last delivery walks further back.
 */
export async function conversationPage(em: EntityManager, query: ConversationQuery, tuning: ListTuning = LIST_TUNING): Promise<Page<ConversationSummary>> {
  const searched = query.search ? await searchMatches(em, query, tuning.searchCandidates) : undefined;
  if (searched && searched.length <= tuning.searchCandidates) return pageOf(await figures(em, query, searched), query);
  // A search matching more is common: the walk meets its matches soon, and their figures decide.
  const wanted = query.limit + 1;
  const found: ConversationSummary[] = [];
  for await (const ids of walk(em, query, wanted, tuning.minStep)) {
    const fresh = hasFilter(query) ? await candidates(em, query, ids) : ids.slice(0, wanted - found.length);
    found.push(...(await figures(em, query, fresh)));
    if (found.length >= wanted) break;
  }
  return pageOf(found, query, false);
}

/** The page of `conversations` after the query's cursor; `sort` when they are not in list order yet. */
function pageOf(conversations: ConversationSummary[], query: ConversationQuery, sort = true): Page<ConversationSummary> {
  const after = sort && query.cursor ? decodeCursor(query.cursor) : undefined;
  const ordered = sort ? conversations.toSorted((a, b) => b.lastMessageAt - a.lastMessageAt || compareIds(a.id, b.id)) : conversations;
  const rest = after ? ordered.filter((c) => c.lastMessageAt < after.at || (c.lastMessageAt === after.at && compareIds(c.id, after.id) > 0)) : ordered;
  const items = rest.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rest.length > items.length && last ? encodeCursor(last) : null };
}

/** The figures of those of `ids` with a message in the range that the filter asks for, in the order of `ids`. */
async function figures(em: EntityManager, query: ConversationQuery, ids: string[]): Promise<ConversationSummary[]> {
  if (ids.length === 0) return [];
  const rows = await run<ConversationRow>(em, conversationTotalsSql(query, ids));
  const byId = new Map(rows.map((row) => [row.id, toConversation(row)]));
  return ids.flatMap((id) => {
    const conversation = byId.get(id);
    return conversation && matchesFilter(conversation, query) ? [conversation] : [];
  });
}

/** The conversations with a row in the range whose participant or profile name the search is part of: at most `most + 1`. */
async function searchMatches(em: EntityManager, query: ConversationQuery, most: number): Promise<string[]> {
  return (await run<{ id: string }>(em, searchMatchesSql(query, most + 1))).map((row) => row.id);
}

/** One conversation's figures over the range; null when it has no message there. */
export async function conversationSummary(em: EntityManager, conversationId: string, query: AnalyticsQuery): Promise<ConversationSummary | null> {
  const [row] = await run<ConversationRow>(em, conversationTotalsSql(query, [conversationId]));
  return row ? toConversation(row) : null;
}

/** Those of `ids` the filter's mode and last delivery may ask for, in their order. */
async function candidates(em: EntityManager, query: ConversationQuery, ids: string[]): Promise<string[]> {
  if (ids.length === 0 || !(query.mode || query.outcome)) return ids;
  const kept = new Set((await run<{ id: string }>(em, candidatesSql(query, ids))).map((row) => row.id));
  return ids.filter((id) => kept.has(id));
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
    agentReplies: Number(row.agent_replies),
    toolCalls: Number(row.tool_calls),
    ...costOf(Number(row.cost_usd), Number(row.whatsapp_usd)),
  };
}
