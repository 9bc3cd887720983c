import { randomUUID } from 'node:crypto';
import { conversationIdFor } from '../../src/domain/model/ids.js';
import { sensitive } from './log-sink.js';
import type { InboundMessage, MessageContent } from '../../src/domain/model/message.js';
import type { StatusInteraction } from '../../src/domain/model/interaction.js';

/** A WhatsApp text message with fresh ids, so tests can run in parallel. */
export function aMessage(overrides: Partial<InboundMessage> & { text?: string; content?: MessageContent } = {}): InboundMessage {
  const participantId = sensitive(overrides.participant?.id ?? `4915${Math.floor(Math.random() * 1e9)}`);
  const accountId = overrides.accountId ?? 'phone-1';
  const now = overrides.receivedAt ?? Date.now();
  const { text, ...rest } = overrides;
  return {
    id: `wamid.${randomUUID()}`,
    channel: 'whatsapp',
    accountId,
    conversationId: conversationIdFor(overrides.channel ?? 'whatsapp', accountId, participantId),
    participant: { id: participantId, name: 'Ada' },
    content: { type: 'text', body: sensitive(text ?? 'Hello there') },
    sentAt: now,
    receivedAt: now,
    ...rest,
  };
}

/** A generic API channel message with fresh ids; `callbackUrl` is where its reply is posted. */
export function anApiMessage(callbackUrl: string | undefined, extra: Partial<InboundMessage> = {}): InboundMessage {
  const accountId = `client-${randomUUID()}`;
  const userId = `user-${randomUUID()}`;
  const now = Date.now();
  return {
    id: `msg_${randomUUID()}`,
    channel: 'api',
    accountId,
    conversationId: conversationIdFor('api', accountId, `user:${userId}`),
    participant: { id: userId },
    content: { type: 'text', body: 'Where is my order?' },
    sentAt: now,
    receivedAt: now,
    ...extra,
    ...(callbackUrl ? { callbackUrl } : {}),
  };
}

/** The bus tests' event: a `delivered` status of outbound `out-<i>` in conversation `key`, account `run`. */
export function aStatusEvent(run: string, key: string, i: number, overrides: Partial<StatusInteraction> = {}): StatusInteraction {
  return {
    type: 'status',
    eventId: `${run}:${key}:${i}`,
    occurredAt: 1_000 + i,
    channel: 'whatsapp',
    accountId: run,
    conversationId: key,
    userKey: 'u_test',
    outboundId: `out-${i}`,
    status: 'delivered',
    ...overrides,
  };
}
