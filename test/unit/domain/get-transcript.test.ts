import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import { ConversationNotFoundError, GetTranscript } from '../../../src/domain/use-cases/get-transcript.js';
import { aMessage } from '../../support/builders.js';

describe('GetTranscript', () => {
  it('returns the conversation and its messages oldest first when the conversation exists', async () => {
    const store = new InMemoryChatStore();
    const first = aMessage({ receivedAt: 1000, text: 'first' });
    const second = aMessage({ participant: first.participant, receivedAt: 2000, text: 'second' });
    await store.register(second, 2000);
    await store.register(first, 2001);

    const transcript = await new GetTranscript(store).page(first.conversationId, { limit: 50 });

    expect(transcript.conversation).toMatchObject({ id: first.conversationId, messageCount: 2 });
    expect(transcript.messages.map((r) => r.message.id)).toEqual([first.id, second.id]);
    expect(transcript.next).toBeNull();
  });

  it('ends a page at its limit and says where the next begins when the conversation is longer', async () => {
    const store = new InMemoryChatStore();
    const first = aMessage({ receivedAt: 1000, text: 'first' });
    const second = aMessage({ participant: first.participant, receivedAt: 2000, text: 'second' });
    await store.register(first, 1000);
    await store.register(second, 2000);

    const transcript = await new GetTranscript(store).page(first.conversationId, { limit: 1 });

    expect(transcript.messages.map((r) => r.message.id)).toEqual([first.id]);
    expect(transcript.next).toMatchObject({ id: first.id });
    const rest = await new GetTranscript(store).page(first.conversationId, { after: transcript.next!, limit: 1 });
    expect(rest.messages.map((r) => r.message.id)).toEqual([second.id]);
    expect(rest.next).toBeNull();
  });

  it('rejects with ConversationNotFoundError when the conversation does not exist', async () => {
    const useCase = new GetTranscript(new InMemoryChatStore());
    await expect(useCase.page(`c_${randomUUID()}`, { limit: 50 })).rejects.toMatchObject({ constructor: ConversationNotFoundError, code: 'conversation_not_found', retryable: false });
  });
});
