import { z } from '@hono/zod-openapi';
import { AGENT_REPLY_STATES } from '../../domain/model/agent-reply.js';
import { CONVERSATION_MODES } from '../../domain/model/interaction.js';

export const Handoff = z
  .object({
    mode: z.enum(CONVERSATION_MODES).openapi({ description: '`human` while a person has the conversation (or is asked for): the model is not called' }),
    agent: z.string().nullable().openapi({ description: 'Who took it over' }),
    since: z.string().nullable().openapi({ description: 'When the mode last changed; null for a conversation the bot always answered' }),
    waitingSince: z.string().nullable().openapi({ description: 'Set while it waits for a person (asked for one, nobody took it yet)' }),
    requestedBy: z.enum(['trigger', 'tool']).nullable().openapi({ description: 'What asked for a person: a trigger phrase, or the model' }),
  })
  .openapi('Handoff');

export const HandoffRequest = z
  .object({
    action: z.enum(['take', 'release']).openapi({ description: '`take`: a person answers from now on; `release`: the bot answers again, with the whole history' }),
    agent: z.string().optional().openapi({ description: 'Who takes it over (shown in the transcript and to the model); 1–80 characters', example: 'Grace' }),
  })
  .strict()
  .openapi('HandoffRequest');

export const HandoffResult = Handoff.extend({ conversationId: z.string(), changed: z.boolean().openapi({ description: 'False when it was so already' }) }).openapi('HandoffResult');

export const AgentReplyRequest = z
  .object({
    text: z.string().optional().openapi({ description: 'What the person is sent, 1–4,096 characters', example: 'Hi, this is Grace. Your refund is on its way.' }),
    template: z.boolean().optional().openapi({ description: "`true`: send the channel's window template instead (WhatsApp, outside the 24 h window)" }),
    agent: z.string().optional().openapi({ description: 'Who writes; defaults to the agent who took the conversation over' }),
  })
  .strict()
  .openapi('AgentReplyRequest');

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'The same key again (a retry) is the same reply, sent once; without it every request is a new reply', example: 'reply-8f14e45f' }),
});

export const AgentReplyBody = z
  .object({
    id: z.string(),
    role: z.literal('agent'),
    agent: z.string(),
    text: z.string(),
    template: z.object({ name: z.string(), language: z.string() }).nullable(),
    state: z.enum(AGENT_REPLY_STATES).openapi({ description: '`queued` until the worker sends it; `send-unknown` when its send may have gone out but its answer was lost (never resent)' }),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
    outboundIds: z.array(z.string()),
    failureReason: z.string().nullable(),
  })
  .openapi('AgentReply');

export const AgentReplyAccepted = AgentReplyBody.extend({ conversationId: z.string(), created: z.boolean().openapi({ description: 'False when this Idempotency-Key was seen before: the stored reply' }) }).openapi(
  'AgentReplyAccepted',
);

export const WaitingQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ param: { name: 'limit', in: 'query' } }),
});

export const WaitingList = z
  .object({
    items: z.array(z.object({ id: z.string(), channel: z.string(), accountId: z.string(), participant: z.string(), profileName: z.string().nullable(), waitingSince: z.string(), requestedBy: z.string().nullable() })),
  })
  .openapi('WaitingForHuman');
