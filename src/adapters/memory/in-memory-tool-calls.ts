import type { AnalyticsQuery } from '../../domain/model/analytics.js';
import type { ToolCallInteraction } from '../../domain/model/interaction.js';
import type { RecordResult } from '../../domain/ports/analytics-store.js';

/** The tool-call facts of InMemoryAnalyticsStore, by event id: never revised (a call's outcome is final when its fact is published). */
export class InMemoryToolCalls {
  private readonly calls = new Map<string, ToolCallInteraction>();

  /** Once per event id; refused when its user was erased at or after it happened. */
  record(event: ToolCallInteraction, erasedAt: number | undefined): RecordResult {
    if (this.calls.has(event.eventId)) return 'duplicate';
    if (erasedAt !== undefined && event.occurredAt <= erasedAt) return 'erased';
    // Whole milliseconds, as PostgreSQL stores them.
    const latency = event.latencyMs === undefined ? {} : { latencyMs: Math.round(event.latencyMs) };
    this.calls.set(event.eventId, { ...structuredClone(event), ...latency });
    return 'inserted';
  }

  /** The calls that happened in the range. */
  in({ from, to, channel }: AnalyticsQuery): ToolCallInteraction[] {
    return [...this.calls.values()].filter((c) => c.occurredAt >= from && c.occurredAt < to && (!channel || c.channel === channel));
  }

  /** Conversation id → its calls in the range. */
  byConversation(query: AnalyticsQuery): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.in(query)) counts.set(c.conversationId, (counts.get(c.conversationId) ?? 0) + 1);
    return counts;
  }

  erase(userKey: string): void {
    for (const [eventId, call] of this.calls) if (call.userKey === userKey) this.calls.delete(eventId);
  }

  /** Deletes at most `limit` calls that happened before `cutoff`; answers how many. */
  deleteBefore(cutoff: number, limit: number): number {
    const doomed = [...this.calls.values()].filter((c) => c.occurredAt < cutoff).slice(0, limit);
    for (const call of doomed) this.calls.delete(call.eventId);
    return doomed.length;
  }
}
