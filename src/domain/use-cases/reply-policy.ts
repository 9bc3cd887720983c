import type { ModelPrice } from '../model/reply.js';
import type { ChannelProvider } from '../model/channel-settings.js';
import type { Channel } from '../model/ids.js';
import type { MessageState } from '../model/message-record.js';
import type { OutcomeReason } from '../model/reasons.js';

export interface ReplyPolicy {
  systemPrompt: string;
  model?: string;
  /** The default model of each provider a channel may choose (`provider` in its settings). */
  providerModels?: Partial<Record<ChannelProvider, string>>;
  maxTokens: number;
  /** Earlier messages of the conversation given to the model. */
  historyMessages: number;
  /**
   * How long a delivery owns a message while generating or sending. Every step of a generation
   * (coalescing wait, transcription, model call) gets only what remains of it, less `leaseMarginMs`.
   */
  leaseMs: number;
  /** Kept back from the lease for the store writes around the model call (default 5 s). */
  leaseMarginMs?: number;
  /** Generation attempts before the fallback reply is sent instead. */
  maxAttempts: number;
  /** Send attempts before the reply is recorded as failed. */
  maxSendAttempts: number;
  /** Transient send failures are retried at least this long after the message arrived, whatever the attempts (default 0). */
  sendRetryWindowMs?: number;
  fallbackText: string;
  mediaReplyText: string;
  prices: Readonly<Record<string, ModelPrice>>;
  temperature?: number;
  /** Tokens the prompt (system prompt, history, message) may use; older exchanges are dropped first. */
  historyTokenBudget: number;
  /** Values a reply must never contain (configured secrets); such a reply is replaced. */
  blockedStrings: readonly string[];
  /** Messages a participant may send per minute (0: no limit); channels may set their own. */
  ratePerMinute: number;
  /** USD a channel may spend per UTC day (0: no cap); channels may set their own. */
  dailySpendCapUsd: number;
  limitReplyText: string;
  /** What the user is told when they asked for a person (a channel's handoff text overrides it). */
  handoffText?: string;
  /** Later messages arriving within this window of one being answered are folded into its completion (0: off). */
  coalesceWindowMs: number;
  /** How long channel settings are cached. */
  settingsTtlMs: number;
  /** The longest message each channel takes; longer replies go out in ordered parts. */
  maxPartLength: Readonly<Record<Channel, number>>;
}

export interface ReplyOutcome {
  messageId: string;
  state: MessageState;
  /** False when this delivery found the work already done. */
  firstDelivery: boolean;
  /** Why the reply was not sent, or what failed (a stable reason, never content). */
  reason?: OutcomeReason;
}
