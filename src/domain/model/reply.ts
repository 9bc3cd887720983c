export interface TokenUsage {
  prompt: number;
  completion: number;
}

/**
 * `limit`: the polite reply sent instead of an answer when a rate limit or spend cap is reached;
 * `handoff`: the channel's handoff text, sent when the person asked for a human.
 */
export const REPLY_KINDS = ['ai', 'fallback', 'media', 'limit', 'handoff'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/** The answer stored for one inbound message; once stored it is never generated again. */
export interface Reply {
  text: string;
  kind: ReplyKind;
  model?: string;
  usage: TokenUsage;
  costUsd: number;
  /** From the inbound message's receipt to the reply being stored (ms). */
  latencyMs: number;
  createdAt: number;
}

export interface ModelPrice {
  /** USD per million prompt tokens. */
  prompt: number;
  /** USD per million completion tokens. */
  completion: number;
}

export function costOf(usage: TokenUsage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return (usage.prompt * price.prompt + usage.completion * price.completion) / 1_000_000;
}
