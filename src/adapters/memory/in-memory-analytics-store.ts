import { percentile, type AnalyticsQuery, type AnalyticsSummary, type ConversationQuery, type ConversationSummary, type Page } from '../../domain/model/analytics.js';
import { ValidationError } from '../../domain/model/errors.js';
import type { InteractionEvent, MessageInteraction } from '../../domain/model/interaction.js';
import type { AnalyticsStore } from '../../domain/ports/analytics-store.js';

const FAILED_OUTCOMES = new Set(['failed', 'send-unknown']);

/** Interaction facts in process memory, keyed by event id (recording is idempotent). */
export class InMemoryAnalyticsStore implements AnalyticsStore {
  private readonly events = new Map<string, InteractionEvent>();

  async record(event: InteractionEvent): Promise<'inserted' | 'duplicate'> {
    if (this.events.has(event.eventId)) return 'duplicate';
    this.events.set(event.eventId, structuredClone(event));
    return 'inserted';
  }

  async summary(query: AnalyticsQuery): Promise<AnalyticsSummary> {
    const messages = this.messagesIn(query);
    const latencies = messages.flatMap((m) => (m.latencyMs !== undefined && m.outcome !== 'skipped' ? [m.latencyMs] : [])).sort((a, b) => a - b);
    const byReason: Record<string, number> = {};
    for (const m of messages) {
      if (!isFailure(m)) continue;
      const reason = m.failureReason ?? m.outcome;
      byReason[reason] = (byReason[reason] ?? 0) + 1;
    }
    return {
      conversations: new Set(messages.map((m) => m.conversationId)).size,
      messagesIn: messages.length,
      messagesOut: messages.filter((m) => m.outcome === 'sent').length,
      uniqueUsers: new Set(messages.map((m) => m.userKey)).size,
      replyLatencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
      tokens: { prompt: sum(messages, (m) => m.usage.prompt), completion: sum(messages, (m) => m.usage.completion) },
      costUsd: sum(messages, (m) => m.costUsd),
      failures: { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason },
    };
  }

  async conversations(query: ConversationQuery): Promise<Page<ConversationSummary>> {
    const byId = new Map<string, ConversationSummary>();
    for (const m of this.messagesIn(query)) {
      const c = byId.get(m.conversationId) ?? {
        id: m.conversationId,
        channel: m.channel,
        accountId: m.accountId,
        firstMessageAt: m.receivedAt,
        lastMessageAt: m.receivedAt,
        messagesIn: 0,
        messagesOut: 0,
        costUsd: 0,
      };
      c.firstMessageAt = Math.min(c.firstMessageAt, m.receivedAt);
      c.lastMessageAt = Math.max(c.lastMessageAt, m.receivedAt);
      c.messagesIn += 1;
      c.messagesOut += m.outcome === 'sent' ? 1 : 0;
      c.costUsd += m.costUsd;
      byId.set(m.conversationId, c);
    }
    // Newest activity first; the cursor is the (lastMessageAt, id) of the last item served.
    const ordered = [...byId.values()].sort((a, b) => b.lastMessageAt - a.lastMessageAt || a.id.localeCompare(b.id));
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rest = after
      ? ordered.filter((c) => c.lastMessageAt < after.at || (c.lastMessageAt === after.at && c.id.localeCompare(after.id) > 0))
      : ordered;
    const items = rest.slice(0, query.limit);
    const last = items.at(-1);
    return { items, nextCursor: rest.length > items.length && last ? encodeCursor(last) : null };
  }

  private messagesIn({ from, to, channel }: AnalyticsQuery): MessageInteraction[] {
    return [...this.events.values()].filter(
      (e): e is MessageInteraction => e.type === 'message' && e.receivedAt >= from && e.receivedAt < to && (!channel || e.channel === channel),
    );
  }
}

const isFailure = (m: MessageInteraction): boolean => FAILED_OUTCOMES.has(m.outcome) || m.replyKind === 'fallback';

const sum = <T>(items: T[], f: (item: T) => number): number => items.reduce((total, item) => total + f(item), 0);

export function encodeCursor(c: { lastMessageAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([c.lastMessageAt, c.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    // fall through to the error below: a cursor is opaque, any other shape is invalid
  }
  throw new ValidationError('cursor is not valid');
}
