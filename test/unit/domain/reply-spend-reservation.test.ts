import { describe, expect, it } from 'vitest';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import { GatedModel, tenConcurrentGenerations } from '../../support/concurrent-generations.js';

describe('ReplyToMessage spend reservation', () => {
  it('calls the model at most as often as the estimates fit under the daily cap when 10 generations of one channel run at once', async () => {
    const model = new GatedModel();
    const { store, messages, finish, day, accountId } = tenConcurrentGenerations(model, new InMemoryChatStore());

    await finish();

    expect(model.calls).toBe(3);
    const records = await Promise.all(messages.map(async (m) => (await store.messages(m.conversationId, { limit: 1 }))[0]!));
    expect(records.filter((r) => r.reply?.kind === 'ai')).toHaveLength(3);
    expect(records.filter((r) => r.note === 'spend_capped')).toHaveLength(7);
    expect(await store.spendOf(accountId, day)).toBe(15);
  });

  it('releases the reservation when the model call fails, so the next generation of the day still fits', async () => {
    const failing = new GatedModel('fail');
    const { store, finish, day, accountId } = tenConcurrentGenerations(failing, new InMemoryChatStore());
    await finish();
    expect(failing.calls).toBe(3);
    expect(await store.spendOf(accountId, day)).toBe(0);

    const next = new GatedModel();
    const again = tenConcurrentGenerations(next, store, accountId);
    await again.finish();
    expect(next.calls).toBe(3);
  });
});
