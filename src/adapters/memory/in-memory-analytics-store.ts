import {
  agentReplyCounts,
  costOf,
  matchesFilter,
  percentile,
  type AnalyticsQuery,
  type AnalyticsSummary,
  type ConversationQuery,
  type ConversationSummary,
  type ErasureCounts,
  type Page,
  type SummaryOptions,
  type TimeseriesMetric,
  type TimeseriesPoint,
  type TimeseriesQuery,
  toolCallCounts,
} from '../../domain/model/analytics.js';
import { advancesDelivery, type DeliveryState } from '../../domain/model/delivery-status.js';
import type { AgentReplyInteraction, ConversationMode, InteractionEvent, MessageInteraction, ModeInteraction, StatusInteraction, ToolCallInteraction } from '../../domain/model/interaction.js';
import type { AnalyticsStore, RecordResult } from '../../domain/ports/analytics-store.js';
import { currentSpelling } from '../codec/stored-reasons.js';
import { compareIds, decodeCursor, encodeCursor, timeseriesBuckets } from '../analytics-store-support.js';
import { InMemoryToolCalls } from './in-memory-tool-calls.js';

const FAILED_OUTCOMES = new Set(['failed', 'send-unknown']);

/** When the fact happened: a message when it was received, a status when it occurred. */
export const happenedAt = (event: InteractionEvent): number => (event.type === 'message' ? event.receivedAt : event.occurredAt);
const EXPORT_PAGE_SIZE = 500;

/** Interaction facts in process memory, keyed by event id (recording is idempotent). Exact: the reference semantics. */
export class InMemoryAnalyticsStore implements AnalyticsStore {
  private readonly events = new Map<string, MessageInteraction | StatusInteraction>();
  /** User key → when it was erased: earlier events about the user are refused from then on. */
  private readonly erasures = new Map<string, number>();
  /** Channel and outbound id → the first status that priced the message: a charge counts once. */
  private readonly charges = new Map<string, ChargedStatus>();
  /** Event id → a conversation's switch between the bot and a person. */
  private readonly modes = new Map<string, ModeInteraction>();
  /** Event id → the end of an agent reply's send (human handoff). */
  private readonly agentReplies = new Map<string, AgentReplyInteraction>();
  /** The tools the model called. */
  private readonly toolCalls = new InMemoryToolCalls();

  async record(event: InteractionEvent): Promise<RecordResult> {
    if (event.type === 'mode') return this.recordMode(event);
    if (event.type === 'agent-reply') return this.recordAgentReply(event);
    if (event.type === 'tool-call') return this.toolCalls.record(event, this.erasures.get(event.userKey));
    const stored = this.events.get(event.eventId);
    if (stored && revises(stored, event)) {
      this.events.set(event.eventId, structuredClone({ ...stored, outcome: event.outcome, failureReason: event.failureReason, occurredAt: event.occurredAt }));
      return 'revised';
    }
    const erasedAt = this.erasures.get(event.userKey);
    if (erasedAt !== undefined && happenedAt(event) <= erasedAt) return stored ? 'duplicate' : 'erased';
    if (isCharged(event) && !this.charges.has(chargeKey(event))) this.charges.set(chargeKey(event), structuredClone(event));
    if (stored) return 'duplicate';
    this.events.set(event.eventId, structuredClone(event));
    return 'inserted';
  }

  async summary(query: AnalyticsQuery, options: SummaryOptions = {}): Promise<AnalyticsSummary> {
    const [messages, charges] = [this.messagesIn(query), this.chargesIn(query)];
    const summary = summarize(messages, this.deliveryFailuresIn(query), charges, this.agentRepliesIn(query), this.toolCalls.in(query));
    return options.conversationCosts ? { ...summary, costPerConversationUsd: conversationCostPercentiles(messages, charges) } : summary;
  }

  async timeseries(query: TimeseriesQuery): Promise<TimeseriesPoint[]> {
    const starts = timeseriesBuckets(query);
    const points: TimeseriesPoint[] = [];
    for (const [i, at] of starts.entries()) {
      const range = { from: at, to: starts[i + 1] ?? query.to, ...(query.channel ? { channel: query.channel } : {}) };
      const bucket = summarize(this.messagesIn(range), this.deliveryFailuresIn(range), this.chargesIn(range), [], []);
      points.push({ at, value: metricOf(bucket, query.metric) });
    }
    return points;
  }

  async conversation(conversationId: string, query: AnalyticsQuery): Promise<ConversationSummary | null> {
    return this.summaries(query, (m) => m.conversationId === conversationId)[0] ?? null;
  }

  async conversations(query: ConversationQuery): Promise<Page<ConversationSummary>> {
    // Newest activity first; the cursor is the (lastMessageAt, id) of the last item served.
    const ordered = this.summaries(query).filter((c) => matchesFilter(c, query)).sort((a, b) => b.lastMessageAt - a.lastMessageAt || compareIds(a.id, b.id));
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const rest = after
      ? ordered.filter((c) => c.lastMessageAt < after.at || (c.lastMessageAt === after.at && compareIds(c.id, after.id) > 0))
      : ordered;
    const items = rest.slice(0, query.limit);
    const last = items.at(-1);
    return { items, nextCursor: rest.length > items.length && last ? encodeCursor(last) : null };
  }

  /** The figures of each conversation with a message in the range (of those `which` keeps). */
  private summaries(query: AnalyticsQuery, which: (m: MessageInteraction) => boolean = () => true): ConversationSummary[] {
    const byId = new Map<string, ConversationSummary>();
    const charged = new Map<string, number>();
    for (const c of this.chargesIn(query)) charged.set(c.conversationId, (charged.get(c.conversationId) ?? 0) + (c.charge.usd ?? 0));
    const agentReplies = new Map<string, number>();
    for (const r of this.agentRepliesIn(query)) agentReplies.set(r.conversationId, (agentReplies.get(r.conversationId) ?? 0) + 1);
    const toolCalls = this.toolCalls.byConversation(query);
    for (const m of this.messagesIn(query).filter(which)) {
      const c = byId.get(m.conversationId) ?? {
        id: m.conversationId,
        channel: m.channel,
        accountId: m.accountId,
        participant: null,
        profileName: null,
        lastDelivery: this.lastDelivery(m.conversationId, query),
        mode: this.modeOf(m.conversationId, query.to),
        firstMessageAt: m.receivedAt,
        lastMessageAt: m.receivedAt,
        messagesIn: 0,
        messagesOut: 0,
        tokens: { prompt: 0, completion: 0 },
        agentReplies: agentReplies.get(m.conversationId) ?? 0,
        toolCalls: toolCalls.get(m.conversationId) ?? 0,
        ...costOf(0, charged.get(m.conversationId) ?? 0),
      };
      c.participant ??= m.participant ?? null;
      // The latest name given: a participant may rename themselves.
      if (m.profileName && (c.profileName === null || m.receivedAt >= c.lastMessageAt)) c.profileName = m.profileName;
      c.firstMessageAt = Math.min(c.firstMessageAt, m.receivedAt);
      c.lastMessageAt = Math.max(c.lastMessageAt, m.receivedAt);
      c.messagesIn += 1;
      c.messagesOut += m.outcome === 'sent' ? 1 : 0;
      c.tokens.prompt += m.usage.prompt;
      c.tokens.completion += m.usage.completion;
      c.costBreakdown.aiUsd += m.costUsd;
      c.costUsd += m.costUsd;
      byId.set(m.conversationId, c);
    }
    return [...byId.values()];
  }

  async *exportConversations(query: AnalyticsQuery): AsyncIterable<ConversationSummary> {
    let cursor: string | null = null;
    do {
      const page: Page<ConversationSummary> = await this.conversations({ ...query, limit: EXPORT_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      yield* page.items;
      cursor = page.nextCursor;
    } while (cursor);
  }

  async eraseUser(userKey: string, erasedAt: number): Promise<ErasureCounts> {
    this.erasures.set(userKey, Math.max(erasedAt, this.erasures.get(userKey) ?? erasedAt));
    const counts: ErasureCounts = { interactions: 0, statuses: 0 };
    for (const [eventId, event] of this.events) {
      if (event.userKey !== userKey) continue;
      this.events.delete(eventId);
      if (event.type === 'message') counts.interactions += 1;
      else counts.statuses += 1;
    }
    for (const [key, charge] of this.charges) if (charge.userKey === userKey) this.charges.delete(key);
    for (const [eventId, mode] of this.modes) if (mode.userKey === userKey) this.modes.delete(eventId);
    for (const [eventId, reply] of this.agentReplies) if (reply.userKey === userKey) this.agentReplies.delete(eventId);
    this.toolCalls.erase(userKey);
    return counts;
  }

  async deleteBefore(cutoff: number, limit: number): Promise<number> {
    const doomed = [...this.events.values()].filter((event) => happenedAt(event) < cutoff).slice(0, limit);
    for (const event of doomed) this.events.delete(event.eventId);
    const charges = [...this.charges].filter(([, charge]) => charge.occurredAt < cutoff).slice(0, limit);
    for (const [key] of charges) this.charges.delete(key);
    // A conversation's latest switch to a person stays: without it the list would say `bot`.
    const modes = [...this.modes.values()]
      .filter((m) => m.occurredAt < cutoff && (m.mode === 'bot' || this.latestMode(m.conversationId, Infinity) !== m))
      .sort((a, b) => a.occurredAt - b.occurredAt)
      .slice(0, limit);
    for (const mode of modes) this.modes.delete(mode.eventId);
    const replies = [...this.agentReplies.values()].filter((r) => r.occurredAt < cutoff).slice(0, limit);
    for (const reply of replies) this.agentReplies.delete(reply.eventId);
    return doomed.length + charges.length + modes.length + replies.length + this.toolCalls.deleteBefore(cutoff, limit);
  }

  private recordMode(event: ModeInteraction): RecordResult {
    if (this.modes.has(event.eventId)) return 'duplicate';
    const erasedAt = this.erasures.get(event.userKey);
    if (erasedAt !== undefined && event.occurredAt <= erasedAt) return 'erased';
    this.modes.set(event.eventId, structuredClone(event));
    return 'inserted';
  }

  /** Once per event id; an unknown outcome settled once, keeping when the send ended and how long it took. */
  private recordAgentReply(event: AgentReplyInteraction): RecordResult {
    const stored = this.agentReplies.get(event.eventId);
    if (stored?.outcome === 'send-unknown' && event.outcome !== 'send-unknown') {
      const { failureReason: _, ...settled } = stored;
      this.agentReplies.set(event.eventId, { ...settled, outcome: event.outcome, ...(event.failureReason ? { failureReason: event.failureReason } : {}) });
      return 'revised';
    }
    if (stored) return 'duplicate';
    const erasedAt = this.erasures.get(event.userKey);
    if (erasedAt !== undefined && event.occurredAt <= erasedAt) return 'erased';
    this.agentReplies.set(event.eventId, structuredClone(event));
    return 'inserted';
  }

  /** Agent replies whose send ended in the range. */
  private agentRepliesIn({ from, to, channel }: AnalyticsQuery): AgentReplyInteraction[] {
    return [...this.agentReplies.values()].filter((r) => r.occurredAt >= from && r.occurredAt < to && (!channel || r.channel === channel));
  }

  /** The conversation's mode at `to`: its latest switch before then (of two at once, the greater event id), else the bot. */
  private modeOf(conversationId: string, to: number): ConversationMode {
    return this.latestMode(conversationId, to)?.mode ?? 'bot';
  }

  private latestMode(conversationId: string, to: number): ModeInteraction | undefined {
    let latest: ModeInteraction | undefined;
    for (const m of this.modes.values()) {
      if (m.conversationId !== conversationId || m.occurredAt >= to) continue;
      if (!latest || m.occurredAt > latest.occurredAt || (m.occurredAt === latest.occurredAt && compareIds(m.eventId, latest.eventId) > 0)) latest = m;
    }
    return latest;
  }

  /** The newest status of the conversation up to the range's end; of two at the same time, the further one. */
  private lastDelivery(conversationId: string, { to, channel }: AnalyticsQuery): DeliveryState | null {
    let last: StatusInteraction | undefined;
    for (const e of this.events.values()) {
      if (e.type !== 'status' || e.conversationId !== conversationId || e.occurredAt >= to || (channel && e.channel !== channel)) continue;
      if (!last || e.occurredAt > last.occurredAt || (e.occurredAt === last.occurredAt && advancesDelivery(last.status, e.status))) last = e;
    }
    return last?.status ?? null;
  }

  /** Charges by when the message was delivered. */
  private chargesIn({ from, to, channel }: AnalyticsQuery): ChargedStatus[] {
    return [...this.charges.values()].filter((c) => c.occurredAt >= from && c.occurredAt < to && (!channel || c.channel === channel));
  }

  /** Failed deliveries with a reason, by when they happened (a late failure falls where it was reported). */
  private deliveryFailuresIn({ from, to, channel }: AnalyticsQuery): StatusInteraction[] {
    return [...this.events.values()].filter(
      (e): e is StatusInteraction =>
        e.type === 'status' && e.failureReason !== undefined && e.occurredAt >= from && e.occurredAt < to && (!channel || e.channel === channel),
    );
  }

  private messagesIn({ from, to, channel }: AnalyticsQuery): MessageInteraction[] {
    return [...this.events.values()].filter(
      (e): e is MessageInteraction => e.type === 'message' && e.receivedAt >= from && e.receivedAt < to && (!channel || e.channel === channel),
    );
  }
}

type ChargedStatus = StatusInteraction & Required<Pick<StatusInteraction, 'charge'>>;
const isCharged = (event: InteractionEvent): event is ChargedStatus => event.type === 'status' && event.charge !== undefined;
const chargeKey = (event: StatusInteraction): string => `${event.channel}:${event.outboundId}`;

function summarize(
  messages: MessageInteraction[],
  deliveryFailures: StatusInteraction[],
  charges: ChargedStatus[],
  agentReplies: AgentReplyInteraction[],
  toolCalls: ToolCallInteraction[],
): AnalyticsSummary {
  const latencies = messages.flatMap((m) => (m.latencyMs !== undefined && m.outcome !== 'skipped' ? [m.latencyMs] : [])).sort((a, b) => a - b);
  const byReason: Record<string, number> = {};
  // A failure without a reason counts under its outcome, spelt like a reason (`send_unknown`).
  const reasons = [...messages.filter(isFailure).map((m) => m.failureReason ?? currentSpelling(m.outcome)), ...deliveryFailures.map((s) => s.failureReason!)];
  for (const reason of reasons) byReason[reason] = (byReason[reason] ?? 0) + 1;
  return {
    conversations: new Set(messages.map((m) => m.conversationId)).size,
    messagesIn: messages.length,
    messagesOut: messages.filter((m) => m.outcome === 'sent').length,
    uniqueUsers: new Set(messages.map((m) => m.userKey)).size,
    replyLatencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    tokens: { prompt: sum(messages, (m) => m.usage.prompt), completion: sum(messages, (m) => m.usage.completion) },
    ...costOf(sum(messages, (m) => m.costUsd), sum(charges, (c) => c.charge.usd ?? 0)),
    failures: { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason },
    agentReplies: agentReplyCounts(agentReplies.map((r) => r.outcome)),
    toolCalls: toolCallCounts(toolCalls),
  };
}

/** Each conversation with a message in the range: its AI cost there plus its charges there. */
function conversationCostPercentiles(messages: MessageInteraction[], charges: ChargedStatus[]): NonNullable<AnalyticsSummary['costPerConversationUsd']> {
  const costs = new Map<string, number>();
  for (const m of messages) costs.set(m.conversationId, (costs.get(m.conversationId) ?? 0) + m.costUsd);
  for (const c of charges) if (costs.has(c.conversationId)) costs.set(c.conversationId, costs.get(c.conversationId)! + (c.charge.usd ?? 0));
  const sorted = [...costs.values()].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

function metricOf(s: AnalyticsSummary, metric: TimeseriesMetric): number | null {
  switch (metric) {
    case 'messagesIn':
      return s.messagesIn;
    case 'messagesOut':
      return s.messagesOut;
    case 'uniqueUsers':
      return s.uniqueUsers;
    case 'tokensPrompt':
      return s.tokens.prompt;
    case 'tokensCompletion':
      return s.tokens.completion;
    case 'costUsd':
      return s.costUsd;
    case 'costAiUsd':
      return s.costBreakdown.aiUsd;
    case 'costWhatsappUsd':
      return s.costBreakdown.whatsappUsd;
    case 'failures':
      return s.failures.total;
    case 'latencyP50':
      return s.replyLatencyMs.p50;
    case 'latencyP95':
      return s.replyLatencyMs.p95;
    case 'latencyP99':
      return s.replyLatencyMs.p99;
  }
}

/**
 * The facts that may change, each once: an unknown send outcome, to what a delivery status settled;
 * a sent reply, to failed when its delivery failed.
 */
export const revises = (stored: InteractionEvent, next: InteractionEvent): next is MessageInteraction =>
  stored.type === 'message' &&
  next.type === 'message' &&
  ((stored.outcome === 'send-unknown' && (next.outcome === 'sent' || next.outcome === 'failed')) || (stored.outcome === 'sent' && next.outcome === 'failed'));

const isFailure = (m: MessageInteraction): boolean => FAILED_OUTCOMES.has(m.outcome) || m.replyKind === 'fallback';

const sum = <T>(items: T[], f: (item: T) => number): number => items.reduce((total, item) => total + f(item), 0);
