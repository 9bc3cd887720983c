import { afterEach, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DeliveryStatus } from '../../src/domain/model/delivery-status.js';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { MessageRecord } from '../../src/domain/model/message-record.js';
import type { Reply } from '../../src/domain/model/reply.js';
import type { ChatStore } from '../../src/domain/ports/chat-store.js';
import type { MessageLog } from '../../src/domain/ports/message-log.js';
import { aMessage } from '../support/builders.js';

/** What each capability suite gets: one chat store adapter (it implements every chat port). */
export interface ChatStoreUnderTest {
  store: ChatStore;
  cleanup?: () => Promise<void>;
}

export type MakeChatStore = () => Promise<ChatStoreUnderTest>;

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export const A_REPLY: Reply = { text: 'stored reply', kind: 'ai', model: 'm', usage: { prompt: 1, completion: 2 }, costUsd: 0.25, latencyMs: 7, createdAt: T0 };

/** A fresh participant's conversation: every test works in conversations of its own. */
export function aConversation(accountId = `acct-${randomUUID()}`) {
  const participantId = `p-${randomUUID()}`;
  return (receivedAt: number, text = `text at ${receivedAt}`): InboundMessage =>
    aMessage({ accountId, participant: { id: participantId, name: 'Ada' }, receivedAt, sentAt: receivedAt, text });
}

export function aStatus(message: InboundMessage, outboundId: string, status: DeliveryStatus['status'], extra: Partial<DeliveryStatus> = {}): DeliveryStatus {
  return {
    outboundId,
    channel: message.channel,
    accountId: message.accountId,
    conversationId: message.conversationId,
    recipientId: message.participant.id,
    status,
    at: T0 + 1000,
    ...extra,
  };
}

/** Registers a message and moves it to `sent` with the given outbound ids. */
export async function sentMessage(store: MessageLog, message: InboundMessage, outboundIds: string[]): Promise<MessageRecord> {
  const { record } = await store.register(message, T0);
  const sent = await store.transition(message.conversationId, message.id, record.version, { state: 'sent', outboundIds });
  return sent!;
}

/** A fresh store before each test of the calling suite (cleaned up after it); read it through the getter. */
export function freshStore(make: MakeChatStore): () => ChatStore {
  let current: ChatStoreUnderTest | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    await current?.cleanup?.();
  });
  return () => current!.store;
}
