import type { Channel } from '../model/ids.js';
import type { MessageState } from '../model/message-record.js';

/** A message's settled outcome, as counted by operators: low-cardinality facts only (no ids, no text). */
export interface ReplyFact {
  channel: Channel;
  outcome: MessageState;
  /** From the message's arrival to its reply; absent when nothing was answered. */
  latencyMs?: number;
}

/** Where the worker reports how its replies end (metrics); the default records nothing. */
export interface ReplyMetrics {
  /** Called once per message, when its outcome is recorded for analytics. Must not throw or block. */
  replyRecorded(fact: ReplyFact): void;
}

export const NO_REPLY_METRICS: ReplyMetrics = { replyRecorded() {} };
