import type { HandoffRequester } from '../model/handoff.js';
import type { Channel } from '../model/ids.js';

/** What the channel's `handoff.notifyUrl` is told when a conversation starts waiting for a person. */
export interface HandoffNotice {
  /** Stable per request for a person: the receiver drops duplicates by it (`webhook-id`). */
  id: string;
  url: string;
  conversationId: string;
  channel: Channel;
  accountId: string;
  /** Masked (`+49 170 •••• 4567`): the whole number never leaves the chat store. */
  participant: string;
  requestedBy: HandoffRequester;
  waitingSince: number;
}

/**
 * Tells a business's own system that a conversation waits for a person (Standard Webhooks, signed
 * with API_CALLBACK_SECRET, under the SSRF guard). Rejects with a `ReplySendError`; its reason is
 * `send_outcome_unknown` when the notice may have arrived although its answer was lost.
 */
export interface HandoffNotifier {
  notify(notice: HandoffNotice): Promise<void>;
}
