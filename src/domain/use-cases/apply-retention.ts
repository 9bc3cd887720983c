import type { AnalyticsStore } from '../ports/analytics-store.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterStore } from '../ports/dead-letter-store.js';
import type { TranscriptExpiry } from '../ports/transcript-expiry.js';

const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  deadLetterDays: number;
  analyticsDays: number;
  /** Rows per statement: small, so a sweep never holds locks that ingestion waits on for long. */
  batchSize: number;
}

export interface RetentionResult {
  deadLetters: number;
  /** Facts, statuses and aggregate rows deleted or changed. */
  analyticsRows: number;
  /** Transcripts purged by the sweep: present only where the chat store has no expiry of its own. */
  transcripts?: { messages: number; conversations: number };
}

/**
 * Deletes dead letters and analytics facts older than their retention, a bounded batch at a
 * time until none is left (or `keepGoing` says stop: the process is shutting down). Analytics
 * go by whole UTC days, so the facts and the hourly and daily aggregates made of them leave
 * together and no summary counts a fact that is gone. With `transcripts` (a chat store without a
 * TTL, such as `npm start`'s), expired transcripts go too.
 */
export class ApplyRetention {
  constructor(
    private readonly deadLetters: DeadLetterStore,
    private readonly analytics: AnalyticsStore,
    private readonly clock: Clock,
    private readonly policy: RetentionPolicy,
    private readonly transcripts?: TranscriptExpiry,
  ) {}

  async execute(keepGoing: () => boolean = () => true): Promise<RetentionResult> {
    const now = this.clock.now();
    const { batchSize } = this.policy;
    const letterCutoff = now - this.policy.deadLetterDays * DAY_MS;
    const analyticsCutoff = Math.floor((now - this.policy.analyticsDays * DAY_MS) / DAY_MS) * DAY_MS;
    const result: RetentionResult = { deadLetters: 0, analyticsRows: 0 };
    for (let deleted = batchSize; deleted === batchSize && keepGoing(); ) {
      deleted = await this.deadLetters.deleteDeadLetteredBefore(letterCutoff, batchSize);
      result.deadLetters += deleted;
    }
    for (let touched = 1; touched > 0 && keepGoing(); ) {
      touched = await this.analytics.deleteBefore(analyticsCutoff, batchSize);
      result.analyticsRows += touched;
    }
    if (this.transcripts && keepGoing()) result.transcripts = await this.transcripts.purgeExpired(now);
    return result;
  }
}
