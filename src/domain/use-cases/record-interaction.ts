import type { InteractionEvent } from '../model/interaction.js';
import type { AnalyticsStore, RecordResult } from '../ports/analytics-store.js';

/** Ingests an analytics event; the same event any number of times is one fact. */
export class RecordInteraction {
  constructor(private readonly analytics: AnalyticsStore) {}

  execute(event: InteractionEvent): Promise<RecordResult> {
    return this.analytics.record(event);
  }
}
