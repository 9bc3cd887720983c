import { createHash } from 'node:crypto';
import type { FailureReason, UnsentReason } from './reasons.js';

/**
 * queued → sending → sent, with the exits `failed` (the channel refused it, with a reason) and
 * `send-unknown` (the send may have reached the person but its answer was lost: never resent).
 */
export const AGENT_REPLY_STATES = ['queued', 'sending', 'sent', 'failed', 'send-unknown'] as const;
export type AgentReplyState = (typeof AGENT_REPLY_STATES)[number];

/** A WhatsApp template the agent sent instead of text (outside the 24 h window). */
export interface AgentTemplate {
  name: string;
  language: string;
}

/** A reply a person wrote in a conversation they took over, with the progress of its send. */
export interface AgentReply {
  /** From the request's idempotency key: the same key in the same conversation is the same reply. */
  id: string;
  conversationId: string;
  /** The newest inbound message when it was written: the recipient (and callback) come from it, and the transcript shows the reply after it. */
  inReplyTo: string;
  agent: string;
  /** The text sent; for a template, its name. */
  text: string;
  template?: AgentTemplate;
  createdAt: number;
  state: AgentReplyState;
  version: number;
  /** Epoch ms until which the holder of `sending` owns it; 0 when free. */
  leaseUntil: number;
  outboundIds: string[];
  /** Sends tried that failed before the request left (each retried); absent before the first. */
  sendAttempts?: number;
  /** Why it failed (or why the channel did not send it), or `send_outcome_unknown`; the last retried failure while `queued`. */
  failureReason?: FailureReason | UnsentReason;
  /** When the send ended (sent, failed or unknown). */
  settledAt?: number;
  /** True once its analytics fact was published. */
  recorded: boolean;
  updatedAt: number;
}

export type AgentReplyPatch = Partial<Omit<AgentReply, 'id' | 'conversationId' | 'version'>>;

export type NewAgentReply = Pick<AgentReply, 'id' | 'conversationId' | 'inReplyTo' | 'agent' | 'text' | 'createdAt'> & { template?: AgentTemplate };

export function newAgentReply(reply: NewAgentReply): AgentReply {
  return { ...reply, state: 'queued', version: 1, leaseUntil: 0, outboundIds: [], recorded: false, updatedAt: reply.createdAt };
}

/** Idempotency keys as the API takes them (`Idempotency-Key`): printable ASCII, bounded. */
export const isIdempotencyKey = (key: string): boolean => /^[\x21-\x7e]{1,200}$/.test(key);

/** The reply's id: stable for (conversation, idempotency key), path-safe, revealing neither. */
export function agentReplyIdFor(conversationId: string, idempotencyKey: string): string {
  return `ar_${createHash('sha256').update(`agent-reply\u0000${conversationId}\u0000${idempotencyKey}`, 'utf8').digest('hex').slice(0, 40)}`;
}

export type AgentReplyStep = 'send' | 'wait' | 'mark-send-unknown' | 'record' | 'done';

/** What a delivery of this reply should do now, given what is stored. */
export function nextAgentStep(reply: AgentReply, now: number): AgentReplyStep {
  switch (reply.state) {
    case 'queued':
      return 'send';
    case 'sending':
      // Its send may have gone out: once the lease is gone it is unknown, never sent again.
      return reply.leaseUntil > now ? 'wait' : 'mark-send-unknown';
    default:
      return reply.recorded ? 'done' : 'record';
  }
}

/** The same key with another text is not a retry: it is refused rather than answered with the first reply. */
export const sameAgentRequest = (stored: AgentReply, wanted: NewAgentReply): boolean =>
  stored.text === wanted.text && stored.template?.name === wanted.template?.name && stored.template?.language === wanted.template?.language;
