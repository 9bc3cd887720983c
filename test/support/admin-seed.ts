import { randomUUID } from 'node:crypto';
import { conversationIdFor, userKeyFor } from '../../src/domain/model/ids.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import type { ToolRound } from '../../src/domain/model/tool-call.js';
import type { AnalyticsStore } from '../../src/domain/ports/analytics-store.js';
import type { ChatStore } from '../../src/domain/ports/chat-store.js';
import { aMessage } from './builders.js';
import { maskedParticipant } from '../../src/domain/model/masked-participant.js';

export interface SeededExchange {
  conversationId: string;
  messageId: string;
  text: string;
  replyText: string;
}

export interface ExchangeSpec {
  accountId?: string;
  participantId?: string;
  receivedAt: number;
  text?: string;
  replyText?: string;
  latencyMs?: number;
  usage?: { prompt: number; completion: number };
  costUsd?: number;
  /** A failed message gets no reply and counts as a failure. */
  failed?: boolean;
  /** The tools the model called before its reply. */
  toolRounds?: ToolRound[];
}

/**
 * One answered (or failed) WhatsApp message, stored the way the worker leaves it: the message and
 * its reply in the chat store, the interaction fact in the analytics store.
 */
export async function seedExchange(stores: { chat: ChatStore; analytics: AnalyticsStore }, spec: ExchangeSpec): Promise<SeededExchange> {
  const accountId = spec.accountId ?? 'phone-1';
  const participantId = spec.participantId ?? `4915${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
  const text = spec.text ?? `Question ${randomUUID().slice(0, 8)}`;
  const replyText = spec.replyText ?? `Answer to ${text}`;
  const usage = spec.usage ?? { prompt: 100, completion: 20 };
  const costUsd = spec.costUsd ?? 0.001;
  const latencyMs = spec.latencyMs ?? 900;
  const message = aMessage({ accountId, participant: { id: participantId, name: 'Ada' }, text, receivedAt: spec.receivedAt });
  const { record } = await stores.chat.register(message, spec.receivedAt);
  await stores.chat.transition(message.conversationId, message.id, record.version, spec.failed
    ? { state: 'failed', failure: { stage: 'generate', reason: 'model_unavailable' }, recorded: true, updatedAt: spec.receivedAt + latencyMs }
    : {
        state: 'sent',
        ...(spec.toolRounds ? { toolRounds: spec.toolRounds } : {}),
        reply: { text: replyText, kind: 'ai', model: 'gpt-4o-mini', usage, costUsd, latencyMs, createdAt: spec.receivedAt + latencyMs },
        outboundIds: [`wamid.out.${randomUUID()}`],
        recorded: true,
        updatedAt: spec.receivedAt + latencyMs,
      });
  const event: MessageInteraction = {
    type: 'message',
    eventId: `message:whatsapp:${message.id}`,
    occurredAt: spec.receivedAt + latencyMs,
    channel: 'whatsapp',
    accountId,
    conversationId: conversationIdFor('whatsapp', accountId, participantId),
    userKey: userKeyFor('whatsapp', accountId, participantId),
    messageId: message.id,
    messageType: 'text',
    participant: maskedParticipant('whatsapp', participantId),
    profileName: 'Ada',
    receivedAt: spec.receivedAt,
    outcome: spec.failed ? 'failed' : 'sent',
    ...(spec.failed ? { failureReason: 'model_unavailable', usage: { prompt: 0, completion: 0 }, costUsd: 0 } : { replyKind: 'ai' as const, model: 'gpt-4o-mini', usage, costUsd, latencyMs }),
  };
  await stores.analytics.record(event);
  return { conversationId: message.conversationId, messageId: message.id, text, replyText };
}
