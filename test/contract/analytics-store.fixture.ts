import { expect } from 'vitest';
import { randomInt, randomUUID } from 'node:crypto';
import { PERCENTILE_RELATIVE_ERROR } from '../../src/domain/model/analytics.js';
import type { AgentReplyInteraction, InteractionEvent, MessageInteraction, ModeInteraction, StatusInteraction, ToolCallInteraction } from '../../src/domain/model/interaction.js';
import type { AnalyticsStore } from '../../src/domain/ports/analytics-store.js';

export const HOUR = 3600 * 1000;
export const DAY = 24 * HOUR;

/** What every store answers for a range with nothing in it: zeros, and null percentiles. */
export const EMPTY_SUMMARY = {
  conversations: 0,
  messagesIn: 0,
  messagesOut: 0,
  uniqueUsers: 0,
  replyLatencyMs: { p50: null, p95: null, p99: null },
  tokens: { prompt: 0, completion: 0 },
  costUsd: 0,
  costBreakdown: { aiUsd: 0, whatsappUsd: 0 },
  failures: { total: 0, byReason: {} },
  agentReplies: { total: 0, sent: 0, failed: 0, unknown: 0 },
  toolCalls: { total: 0, ok: 0, failed: 0, unknown: 0, invalid: 0, latencyMs: { p50: 0, p95: 0 } },
};

/** One test's store, its own far-future UTC day and ids, so a shared database's other rows stay out of range. */
export interface AnalyticsFixture {
  store: AnalyticsStore;
  base: number;
  run: string;
  message(overrides?: Partial<MessageInteraction>): MessageInteraction;
  status(overrides?: Partial<StatusInteraction>): StatusInteraction;
  /** A switch of the conversation to `mode` (human handoff). */
  mode(mode: ModeInteraction['mode'], overrides?: Partial<ModeInteraction>): ModeInteraction;
  /** The end of an agent reply's send (human handoff), by default in conversation `c-<run>-1`. */
  agentReply(outcome: AgentReplyInteraction['outcome'], overrides?: Partial<AgentReplyInteraction>): AgentReplyInteraction;
  /** A tool the model called, by default in conversation `c-<run>-1`, 120 ms (none when `invalid`: never made). */
  toolCall(outcome: ToolCallInteraction['outcome'], overrides?: Partial<ToolCallInteraction>): ToolCallInteraction;
  /**
   * The `delivered` and `read` statuses of one charged template (Meta repeats `pricing` in each),
   * `read` a second after `delivered`.
   */
  charged(usd: number | null, overrides?: Partial<StatusInteraction>): [delivered: StatusInteraction, read: StatusInteraction];
  recordAll(events: InteractionEvent[]): Promise<void>;
}

export function anAnalyticsFixture(store: AnalyticsStore): AnalyticsFixture {
  const base = Date.UTC(2100, 0, 1) + randomInt(0, 1_000_000) * DAY;
  const run = randomUUID();
  return {
    store,
    base,
    run,
    message(overrides = {}) {
      const messageId = `m-${randomUUID()}`;
      return {
        type: 'message',
        eventId: `message:whatsapp:${messageId}`,
        occurredAt: base + 1000,
        channel: 'whatsapp',
        accountId: `acct-${run}`,
        conversationId: `c-${run}-1`,
        userKey: `u-${run}-1`,
        messageId,
        messageType: 'text',
        receivedAt: base + 1000,
        outcome: 'sent',
        replyKind: 'ai',
        model: 'gpt-test',
        usage: { prompt: 0, completion: 0 },
        costUsd: 0,
        latencyMs: 100,
        ...overrides,
      };
    },
    status(overrides = {}) {
      const outboundId = `out-${randomUUID()}`;
      return {
        type: 'status',
        eventId: `status:whatsapp:${outboundId}:read`,
        occurredAt: base + 2000,
        channel: 'whatsapp',
        accountId: `acct-${run}`,
        conversationId: `c-${run}-1`,
        userKey: `u-${run}-1`,
        outboundId,
        status: 'read',
        ...overrides,
      };
    },
    mode(mode, overrides = {}) {
      return {
        type: 'mode',
        eventId: `mode:${randomUUID()}`,
        occurredAt: base + 1500,
        channel: 'whatsapp',
        accountId: `acct-${run}`,
        conversationId: `c-${run}-1`,
        userKey: `u-${run}-1`,
        mode,
        ...overrides,
      };
    },
    agentReply(outcome, overrides = {}) {
      const replyId = `ar_${randomUUID()}`;
      return {
        type: 'agent-reply',
        eventId: `agent-reply:${replyId}`,
        occurredAt: base + 1800,
        channel: 'whatsapp',
        accountId: `acct-${run}`,
        conversationId: `c-${run}-1`,
        userKey: `u-${run}-1`,
        replyId,
        outcome,
        ...(outcome === 'failed' ? { failureReason: 'reply_send_failed' as const } : {}),
        latencyMs: 850,
        ...overrides,
      };
    },
    toolCall(outcome, overrides = {}) {
      const callId = `tc_${randomUUID()}`;
      const reasons = { ok: undefined, failed: 'tool_http_503', unknown: 'tool_outcome_unknown', invalid: 'tool_arguments_invalid' } as const;
      const failureReason = reasons[outcome];
      return {
        type: 'tool-call',
        eventId: `tool:${callId}`,
        occurredAt: base + 1700,
        channel: 'whatsapp',
        accountId: `acct-${run}`,
        conversationId: `c-${run}-1`,
        userKey: `u-${run}-1`,
        callId,
        messageId: `m-${run}-1`,
        tool: 'order_status',
        outcome,
        ...(failureReason ? { failureReason } : {}),
        ...(outcome === 'invalid' ? {} : { latencyMs: 120 }),
        ...overrides,
      };
    },
    charged(usd, overrides = {}) {
      const outboundId = `out-${randomUUID()}`;
      const delivered = this.status({
        eventId: `status:whatsapp:${outboundId}:delivered`,
        outboundId,
        status: 'delivered',
        pricingCategory: 'marketing',
        pricingType: 'regular',
        pricingModel: 'PMP',
        charge: { category: 'marketing', market: 'DE', usd },
        ...overrides,
      });
      return [delivered, { ...delivered, eventId: `status:whatsapp:${outboundId}:read`, status: 'read', occurredAt: delivered.occurredAt + 1000 }];
    },
    async recordAll(events) {
      for (const event of events) expect(await store.record(event)).toBe('inserted');
    },
  };
}

/** The port's percentile tolerance: within PERCENTILE_RELATIVE_ERROR of the exact value, at least 1 ms. */
export function expectPercentile(actual: number | null, exact: number | null): void {
  if (exact === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - exact)).toBeLessThanOrEqual(Math.max(1, exact * PERCENTILE_RELATIVE_ERROR));
}

export function expectPercentiles(actual: { p50: number | null; p95: number | null; p99: number | null }, exact: typeof actual): void {
  expectPercentile(actual.p50, exact.p50);
  expectPercentile(actual.p95, exact.p95);
  expectPercentile(actual.p99, exact.p99);
}
