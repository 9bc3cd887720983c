import { randomUUID } from 'node:crypto';
import type { NewDeadLetter } from '../../src/domain/model/dead-letter.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { MessageInteraction } from '../../src/domain/model/interaction.js';
import { aMessage } from './builders.js';

/** A dead-lettered inbound message with fresh ids (`message` overrides the event's message). */
export function anInboundDeadLetter(options: { message?: InboundMessage; deadLetteredAt?: number; messageId?: string } = {}): NewDeadLetter & { topic: 'inbound' } {
  const message = options.message ?? aMessage({ text: `Wo bleibt meine Bestellung? ☕ ${randomUUID()}` });
  return {
    topic: 'inbound',
    event: { kind: 'message', message },
    messageId: options.messageId ?? `dl-${randomUUID()}`,
    orderingKey: message.conversationId,
    conversationId: message.conversationId,
    attributes: { kind: 'message', traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01` },
    deliveryAttempts: 5,
    deadLetteredAt: options.deadLetteredAt ?? Date.UTC(2030, 0, 1),
  };
}

/** A dead-lettered interaction event of the same conversation as `message`. */
export function anInteractionDeadLetter(message: InboundMessage, deadLetteredAt = Date.UTC(2030, 0, 1)): NewDeadLetter & { topic: 'interactions' } {
  const event: MessageInteraction = {
    type: 'message',
    eventId: `ev-${randomUUID()}`,
    occurredAt: deadLetteredAt - 1_000,
    channel: message.channel,
    accountId: message.accountId,
    conversationId: message.conversationId,
    userKey: `u_${randomUUID().replaceAll('-', '')}`,
    messageId: message.id,
    messageType: 'text',
    receivedAt: message.receivedAt,
    outcome: 'sent',
    replyKind: 'ai',
    usage: { prompt: 12, completion: 7 },
    costUsd: 0.0001,
    latencyMs: 850,
  };
  return { topic: 'interactions', event, messageId: `dl-${randomUUID()}`, conversationId: message.conversationId, attributes: { kind: 'message' }, deadLetteredAt };
}
