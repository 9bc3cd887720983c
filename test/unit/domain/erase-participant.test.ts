import { describe, expect, it } from 'vitest';
import { InMemoryAnalyticsStore } from '../../../src/adapters/memory/in-memory-analytics-store.js';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import { InMemoryDeadLetterStore } from '../../../src/adapters/memory/in-memory-dead-letter-store.js';
import { ValidationError } from '../../../src/domain/model/errors.js';
import { EraseParticipant } from '../../../src/domain/use-cases/erase-participant.js';
import { aMessage } from '../../support/builders.js';
import { anInboundDeadLetter, anInteractionDeadLetter } from '../../support/dead-letters.js';
import { FixedClock } from '../../support/fixed-clock.js';

describe('EraseParticipant', () => {
  it('erases every conversation the store knows the participant wrote in, whatever its id, and nobody else', async () => {
    const chats = new InMemoryChatStore();
    const mine = aMessage({ channel: 'api', accountId: 'default', participant: { id: 'user-1' } });
    const mineElsewhere = aMessage({ channel: 'api', accountId: 'default', participant: { id: 'user-1' }, conversationId: 'c_client-named' });
    const theirs = aMessage({ channel: 'api', accountId: 'default', participant: { id: 'user-2' } });
    await chats.register(mine, 1);
    await chats.register(mineElsewhere, 1);
    await chats.register(theirs, 1);

    const result = await new EraseParticipant(chats, new InMemoryAnalyticsStore(), new FixedClock(5), new InMemoryDeadLetterStore()).execute({
      channel: 'api',
      accountId: 'default',
      participantId: 'user-1',
    });

    expect(result).toEqual({ conversationIds: [mine.conversationId, 'c_client-named'].sort(), messages: 2, deadLetters: 0, interactions: 0, statuses: 0 });
    expect(await chats.getConversation(mine.conversationId)).toBeNull();
    expect(await chats.getConversation('c_client-named')).toBeNull();
    expect(await chats.getConversation(theirs.conversationId)).not.toBeNull();
  });

  it("deletes the participant's dead letters of both topics, which carry their text, and keeps other people's", async () => {
    const deadLetters = new InMemoryDeadLetterStore();
    const mine = aMessage({ channel: 'whatsapp', accountId: 'phone-9', participant: { id: '4915550001' } });
    const theirs = anInboundDeadLetter();
    const stored = await Promise.all([deadLetters.add(anInboundDeadLetter({ message: mine })), deadLetters.add(anInteractionDeadLetter(mine)), deadLetters.add(theirs)]);
    const erase = new EraseParticipant(new InMemoryChatStore(), new InMemoryAnalyticsStore(), new FixedClock(5), deadLetters);

    const result = await erase.execute({ channel: 'whatsapp', accountId: 'phone-9', participantId: '4915550001' });
    const again = await erase.execute({ channel: 'whatsapp', accountId: 'phone-9', participantId: '4915550001' });

    expect(result.deadLetters).toBe(2);
    expect(again.deadLetters).toBe(0);
    expect(await deadLetters.get(stored[0].letter.id)).toBeNull();
    expect(await deadLetters.get(stored[1].letter.id)).toBeNull();
    expect(await deadLetters.get(stored[2].letter.id)).toEqual(stored[2].letter);
  });

  it("deletes the dead letters of the participant's messages the chat store never kept, under a conversation id it cannot derive", async () => {
    const deadLetters = new InMemoryDeadLetterStore();
    const neverStored = aMessage({ channel: 'api', accountId: 'default', participant: { id: 'user-7' }, conversationId: 'c_client-named-never-stored' });
    const stored = await deadLetters.add(anInboundDeadLetter({ message: neverStored }));
    const erase = new EraseParticipant(new InMemoryChatStore(), new InMemoryAnalyticsStore(), new FixedClock(5), deadLetters);

    const result = await erase.execute({ channel: 'api', accountId: 'default', participantId: 'user-7' });

    expect(result.deadLetters).toBe(1);
    expect(await deadLetters.get(stored.letter.id)).toBeNull();
  });

  it('rejects a blank participant or account before touching anything', async () => {
    const erase = new EraseParticipant(new InMemoryChatStore(), new InMemoryAnalyticsStore(), new FixedClock(5), new InMemoryDeadLetterStore());
    await expect(erase.execute({ channel: 'api', accountId: 'default', participantId: '  ' })).rejects.toThrow(ValidationError);
    await expect(erase.execute({ channel: 'whatsapp', accountId: '', participantId: '+49' })).rejects.toThrow(ValidationError);
  });
});
