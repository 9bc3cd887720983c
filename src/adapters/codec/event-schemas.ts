import { z } from 'zod';
import { DELIVERY_STATES } from '../../domain/model/delivery-status.js';
import type { InboundEvent } from '../../domain/model/events.js';
import type { InboundMessage } from '../../domain/model/message.js';
import { CHANNELS } from '../../domain/model/ids.js';
import { AGENT_REPLY_OUTCOMES, CONVERSATION_MODES, INTERACTION_OUTCOMES, type InteractionEvent } from '../../domain/model/interaction.js';
import { REPLY_KINDS } from '../../domain/model/reply.js';
import { TOOL_CALL_OUTCOMES, type ToolFailureReason } from '../../domain/model/tool-call.js';
import { failureReasonSchema, sendFailureReasonSchema } from './stored-reasons.js';

// Runtime checks for events crossing a process boundary (Pub/Sub push bodies are untrusted).
const channel = z.enum(CHANNELS);
const deliveryState = z.enum(DELIVERY_STATES);
const media = { mediaId: z.string(), mimeType: z.string().optional() };

const content = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), body: z.string() }),
  z.object({ type: z.enum(['image', 'video']), caption: z.string().optional(), ...media }),
  z.object({ type: z.literal('audio'), voice: z.boolean(), ...media }),
  z.object({ type: z.literal('document'), caption: z.string().optional(), filename: z.string().optional(), ...media }),
  z.object({ type: z.literal('sticker'), animated: z.boolean(), ...media }),
  z.object({ type: z.literal('location'), latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }),
  z.object({ type: z.literal('contacts'), contacts: z.array(z.object({ name: z.string(), phones: z.array(z.string()) })) }),
  z.object({
    type: z.literal('interactive'),
    kind: z.enum(['button_reply', 'list_reply']),
    replyId: z.string(),
    title: z.string(),
    description: z.string().optional(),
  }),
  z.object({ type: z.literal('button'), payload: z.string(), text: z.string() }),
  z.object({ type: z.literal('reaction'), messageId: z.string(), emoji: z.string().optional() }),
  z.object({ type: z.literal('unsupported'), errorCode: z.number().optional() }),
]);

const message = z.object({
  id: z.string().min(1),
  channel,
  accountId: z.string().min(1),
  conversationId: z.string().min(1),
  participant: z.object({ id: z.string().min(1), name: z.string().optional() }),
  content,
  sentAt: z.number(),
  receivedAt: z.number(),
  context: z.object({ replyToMessageId: z.string().optional(), forwarded: z.boolean().optional() }).optional(),
  callbackUrl: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** One inbound message; the chat store decodes the messages it stored with it too. */
export const inboundMessageSchema: z.ZodType<InboundMessage> = message;

const status = z.object({
  outboundId: z.string().min(1),
  channel,
  accountId: z.string(),
  conversationId: z.string().min(1),
  recipientId: z.string(),
  status: deliveryState,
  at: z.number(),
  pricing: z.object({ billable: z.boolean().optional(), model: z.string().optional(), category: z.string().optional(), type: z.string().optional() }).optional(),
  errors: z.array(z.object({ code: z.number(), title: z.string().optional() })).optional(),
  failureReason: sendFailureReasonSchema.optional(),
  sentFor: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('reply'), messageId: z.string().min(1), part: z.number().int().min(0), parts: z.number().int().min(1) }),
      z.object({ kind: z.literal('template'), messageId: z.string().min(1) }),
    ])
    .optional(),
});

export const inboundEventSchema: z.ZodType<InboundEvent> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), message }),
  z.object({ kind: z.literal('status'), status }),
  z.object({ kind: z.literal('agent-reply'), conversationId: z.string().min(1).max(200), replyId: z.string().min(1).max(200) }),
]);

const base = {
  eventId: z.string().min(1),
  occurredAt: z.number(),
  channel,
  accountId: z.string(),
  conversationId: z.string().min(1),
  userKey: z.string().min(1),
};
// The shape of a tool failure's reason (`tool_unreachable`, `tool_http_503`); which exist is the worker's union.
const toolFailureReason = z.string().regex(/^tool_[a-z0-9]+(?:_[a-z0-9]+)*$/, 'not a tool failure reason').transform((reason) => reason as ToolFailureReason);
const usage = z.object({ prompt: z.number().int().min(0), completion: z.number().int().min(0) });

export const interactionEventSchema: z.ZodType<InteractionEvent> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message'),
    ...base,
    messageId: z.string(),
    messageType: z.string(),
    receivedAt: z.number(),
    outcome: z.enum(INTERACTION_OUTCOMES),
    replyKind: z.enum(REPLY_KINDS).optional(),
    model: z.string().optional(),
    usage,
    costUsd: z.number().min(0),
    latencyMs: z.number().optional(),
    failureReason: failureReasonSchema.optional(),
    participant: z.string().max(64).optional(),
    profileName: z.string().max(256).optional(),
  }),
  z.object({
    type: z.literal('status'),
    ...base,
    outboundId: z.string(),
    status: deliveryState,
    pricingCategory: z.string().optional(),
    pricingType: z.string().optional(),
    pricingModel: z.string().optional(),
    billable: z.boolean().optional(),
    charge: z.object({ category: z.string().min(1), market: z.string().min(1), usd: z.number().min(0).nullable() }).optional(),
    errorCode: z.number().optional(),
    failureReason: sendFailureReasonSchema.optional(),
  }),
  z.object({ type: z.literal('mode'), ...base, mode: z.enum(CONVERSATION_MODES) }),
  z.object({
    type: z.literal('agent-reply'),
    ...base,
    replyId: z.string().min(1),
    outcome: z.enum(AGENT_REPLY_OUTCOMES),
    failureReason: failureReasonSchema.optional(),
    latencyMs: z.number().min(0),
  }),
  z.object({
    type: z.literal('tool-call'),
    ...base,
    callId: z.string().min(1).max(200),
    messageId: z.string().min(1),
    tool: z.string().min(1).max(200),
    outcome: z.enum(TOOL_CALL_OUTCOMES),
    failureReason: toolFailureReason.optional(),
    latencyMs: z.number().min(0).optional(),
  }),
]);
