import { z } from 'zod';
import { AGENT_REPLY_STATES, type AgentReply } from '../../domain/model/agent-reply.js';
import { CHANNEL_PROVIDERS, type ChannelSettings } from '../../domain/model/channel-settings.js';
import type { Conversation } from '../../domain/model/conversation.js';
import type { DeliveryState } from '../../domain/model/delivery-status.js';
import type { DeliveryInfo, Failure, MessageRecord, MessageState, WindowTemplateSend } from '../../domain/model/message-record.js';
import { HANDOFF_REQUESTERS, type Handoff } from '../../domain/model/handoff.js';
import { CHANNELS } from '../../domain/model/ids.js';
import { CONVERSATION_MODES } from '../../domain/model/interaction.js';
import type { Reply, ReplyKind } from '../../domain/model/reply.js';
import { TOOL_CALL_STATES, type ChannelTool, type ToolCallRecord, type ToolFailureReason, type ToolRound } from '../../domain/model/tool-call.js';
import { inboundMessageSchema } from './event-schemas.js';
import { failureReasonSchema, type StoredRecord } from './stored-reasons.js';

// The stored shapes every chat store adapter decodes what it reads with (Firestore documents,
// PostgreSQL JSONB rows), so both accept and refuse exactly the same records.
// Each shape lists every field of its domain type (`satisfies Record<keyof T, …>`), and each enum
// every member: a field or state added to the model fails to compile here until it is decoded.
const enumOf = <T extends string>(members: Record<T, true>) => z.enum(Object.keys(members) as [T, ...T[]]);

const messageState = enumOf<MessageState>({
  received: true,
  generating: true,
  answered: true,
  sending: true,
  sent: true,
  unsent: true,
  failed: true,
  'send-unknown': true,
  skipped: true,
});
const deliveryState = enumOf<DeliveryState>({ sent: true, delivered: true, read: true, played: true, failed: true });
const replyKind = enumOf<ReplyKind>({ ai: true, fallback: true, media: true, limit: true, handoff: true });

const reply = z.object({
  text: z.string(),
  kind: replyKind,
  model: z.string().optional(),
  usage: z.object({ prompt: z.number(), completion: z.number() }),
  costUsd: z.number(),
  latencyMs: z.number(),
  createdAt: z.number(),
} satisfies Record<keyof Reply, z.ZodType>);

const delivery = z.object({
  status: deliveryState,
  at: z.number(),
  pricingCategory: z.string().optional(),
  pricingType: z.string().optional(),
  pricingModel: z.string().optional(),
  billable: z.boolean().optional(),
  errorCode: z.number().optional(),
} satisfies Record<keyof DeliveryInfo, z.ZodType>);

const failure = z.object({ stage: z.enum(['generate', 'send']), reason: z.string() } satisfies Record<keyof Failure, z.ZodType>);

const windowTemplate = z.object({
  name: z.string(),
  state: z.enum(['sending', 'sent', 'unsent', 'failed', 'unknown']),
  at: z.number(),
  outboundIds: z.array(z.string()).optional(),
  reason: z.string().optional(),
} satisfies Record<keyof WindowTemplateSend, z.ZodType>);

const toolCall = z.object({
  callId: z.string(),
  modelCallId: z.string(),
  name: z.string(),
  arguments: z.unknown(),
  state: z.enum(TOOL_CALL_STATES),
  startedAt: z.number(),
  latencyMs: z.number().optional(),
  answer: z.string().optional(),
  reason: z.string().transform((reason) => reason as ToolFailureReason).optional(),
} satisfies Record<keyof ToolCallRecord, z.ZodType>);

const toolRound = z.object({
  model: z.string(),
  usage: z.object({ prompt: z.number(), completion: z.number() }),
  text: z.string(),
  calls: z.array(toolCall),
} satisfies Record<keyof ToolRound, z.ZodType>);

/** A stored message record; storage-only fields (Firestore's receivedAt, expireAt, participantKey, writeToken …) are dropped. */
/** Reasons and notes are decoded as strings: `currentRecord` reads older spellings as today's. */
export const messageRecordSchema: z.ZodType<StoredRecord> = z.object({
  message: inboundMessageSchema,
  state: messageState,
  version: z.number(),
  attempts: z.number(),
  sendAttempts: z.number(),
  leaseUntil: z.number(),
  reply: reply.optional(),
  outboundIds: z.array(z.string()),
  delivery: delivery.optional(),
  failure: failure.optional(),
  note: z.string().optional(),
  foldedInto: z.string().optional(),
  templateFallback: z.string().optional(),
  transcript: z.string().optional(),
  folded: z.array(z.string()).optional(),
  recorded: z.boolean(),
  resolved: z.object({ status: deliveryState, at: z.number() }).optional(),
  windowTemplate: windowTemplate.optional(),
  handoffRequest: z
    .object({
      by: z.enum(HANDOFF_REQUESTERS),
      notice: z.object({ state: z.enum(['sending', 'sent', 'failed', 'unknown']), at: z.number(), reason: failureReasonSchema.optional() }).optional(),
    })
    .optional(),
  toolRounds: z.array(toolRound).optional(),
  updatedAt: z.number(),
} satisfies Record<keyof MessageRecord, z.ZodType>);

/** A conversation's handoff (who answers it), stored beside the conversation, never inside its row or document. */
export const handoffSchema: z.ZodType<Handoff> = z.object({
  mode: z.enum(CONVERSATION_MODES),
  agent: z.string().optional(),
  since: z.number(),
  waitingSince: z.number().optional(),
  requestedBy: z.enum(HANDOFF_REQUESTERS).optional(),
  version: z.number(),
} satisfies Record<keyof Handoff, z.ZodType>);

/** A stored conversation, without its id (the document's or row's key) and its storage-only fields. */
export const conversationSchema: z.ZodType<Omit<Conversation, 'id'>> = z.object({
  channel: z.enum(CHANNELS),
  accountId: z.string(),
  participant: z.object({ id: z.string(), name: z.string().optional() }),
  createdAt: z.number(),
  lastMessageAt: z.number(),
  messageCount: z.number(),
  // Each adapter reads it from where it keeps it and adds it; decoded here when present.
  handoff: handoffSchema.optional(),
} satisfies Record<Exclude<keyof Conversation, 'id'>, z.ZodType>);

/** A stored agent reply; storage-only fields (Firestore's expireAt, writeToken …) are dropped. */
export const agentReplySchema: z.ZodType<AgentReply> = z.object({
  id: z.string(),
  conversationId: z.string(),
  inReplyTo: z.string(),
  agent: z.string(),
  text: z.string(),
  template: z.object({ name: z.string(), language: z.string() }).optional(),
  createdAt: z.number(),
  state: z.enum(AGENT_REPLY_STATES),
  version: z.number(),
  leaseUntil: z.number(),
  outboundIds: z.array(z.string()),
  sendAttempts: z.number().optional(),
  failureReason: failureReasonSchema.optional(),
  settledAt: z.number().optional(),
  recorded: z.boolean(),
  updatedAt: z.number(),
} satisfies Record<keyof AgentReply, z.ZodType>);

export const channelSettingsSchema: z.ZodType<ChannelSettings> = z.object({
  accountId: z.string(),
  systemPrompt: z.string().optional(),
  model: z.string().optional(),
  provider: z.enum(CHANNEL_PROVIDERS).optional(),
  temperature: z.number().optional(),
  maxReplyTokens: z.number().optional(),
  historyMessages: z.number().optional(),
  historyTokenBudget: z.number().optional(),
  fallbackText: z.string().optional(),
  mediaReplyText: z.string().optional(),
  ratePerMinute: z.number().optional(),
  dailySpendCapUsd: z.number().optional(),
  limitReplyText: z.string().optional(),
  windowTemplate: z.object({ name: z.string(), language: z.string() }).optional(),
  handoff: z.object({ triggers: z.array(z.string()).optional(), tool: z.boolean().optional(), text: z.string().optional(), notifyUrl: z.string().optional() }).optional(),
  tools: z
    .array(
      z.object({
        name: z.string(),
        description: z.string(),
        parameters: z.record(z.string(), z.unknown()),
        url: z.string(),
        timeoutMs: z.number().optional(),
      } satisfies Record<keyof ChannelTool, z.ZodType>),
    )
    .optional(),
  updatedAt: z.number(),
} satisfies Record<keyof ChannelSettings, z.ZodType>);
