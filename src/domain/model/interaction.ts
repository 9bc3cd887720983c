import type { DeliveryState } from './delivery-status.js';
import type { Channel } from './ids.js';
import type { MessageState } from './message-record.js';
import type { FailureReason } from './reasons.js';
import type { ReplyKind, TokenUsage } from './reply.js';
import type { WhatsAppCharge } from './whatsapp-pricing.js';
import type { ToolCallOutcome, ToolFailureReason } from './tool-call.js';

interface InteractionBase {
  /** Deterministic: re-recording the same fact yields the same id, so ingestion is idempotent. */
  eventId: string;
  occurredAt: number;
  channel: Channel;
  accountId: string;
  conversationId: string;
  /** Pseudonymous user key; never a phone number. */
  userKey: string;
}

/** The terminal states a message's interaction records. */
export const INTERACTION_OUTCOMES = ['sent', 'unsent', 'failed', 'send-unknown', 'skipped'] as const satisfies readonly MessageState[];

/** The outcome of one inbound message, recorded once it reaches a terminal state. */
export interface MessageInteraction extends InteractionBase {
  type: 'message';
  messageId: string;
  messageType: string;
  receivedAt: number;
  outcome: (typeof INTERACTION_OUTCOMES)[number];
  replyKind?: ReplyKind;
  model?: string;
  usage: TokenUsage;
  costUsd: number;
  latencyMs?: number;
  failureReason?: FailureReason;
  /** Who wrote it, masked (`+49 170 •••• 4567`): the analytics never hold the whole number. */
  participant?: string;
  /** The WhatsApp profile name, when the sender has one. */
  profileName?: string;
}

/** A delivery status applied to a reply. */
export interface StatusInteraction extends InteractionBase {
  type: 'status';
  outboundId: string;
  status: DeliveryState;
  /** What Meta reported of the message's price (`pricing`). */
  pricingCategory?: string;
  pricingType?: string;
  pricingModel?: string;
  billable?: boolean;
  /** What delivering the message cost, priced when this status says it reached the phone: counted once per outbound message. */
  charge?: WhatsAppCharge;
  errorCode?: number;
  /** A failed delivery's reason: counted among failures unless the message's own outcome already counts it. */
  failureReason?: FailureReason;
}

/** Who answers a conversation: the model, or a person who took it over (human handoff). */
export const CONVERSATION_MODES = ['bot', 'human'] as const;
export type ConversationMode = (typeof CONVERSATION_MODES)[number];

/** A conversation switched between the bot and a person: the analytics list shows its latest mode. */
export interface ModeInteraction extends InteractionBase {
  type: 'mode';
  mode: ConversationMode;
}

/** How an agent reply's send ended. */
export const AGENT_REPLY_OUTCOMES = ['sent', 'failed', 'send-unknown'] as const;
export type AgentReplyOutcome = (typeof AGENT_REPLY_OUTCOMES)[number];

/** A reply a person wrote in a conversation they took over (human handoff), once its send ended. */
export interface AgentReplyInteraction extends InteractionBase {
  type: 'agent-reply';
  replyId: string;
  outcome: AgentReplyOutcome;
  failureReason?: FailureReason;
  /** From the reply's acceptance to the end of its send (ms). */
  latencyMs: number;
}

/** A tool the model called while composing a reply, once the reply's outcome is recorded (one fact per call). */
export interface ToolCallInteraction extends InteractionBase {
  type: 'tool-call';
  /** The call's id (unique: the fact is keyed by it). */
  callId: string;
  messageId: string;
  tool: string;
  outcome: ToolCallOutcome;
  failureReason?: ToolFailureReason;
  /** From the request leaving to its answer; absent for a call never made (`invalid`). */
  latencyMs?: number;
}

export type InteractionEvent = MessageInteraction | StatusInteraction | ModeInteraction | AgentReplyInteraction | ToolCallInteraction;
