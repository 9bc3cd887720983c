import { describe, expect, it, vi } from 'vitest';
import type { MessageRecord } from '../../../src/domain/model/message-record.js';
import { historyWithin, RECENT_MESSAGES } from '../../../src/domain/use-cases/conversation-turn.js';
import { aMessage } from '../../support/builders.js';
import { replyHarness } from '../../support/reply-harness.js';

// The conversation's newest messages are read anyway (to answer in arrival order); when they hold
// the whole history the prompt needs, the history is not read a second time (one store read less
// per answered message: a round trip on Firestore, a statement on PostgreSQL).
const records = (receivedAts: number[]): MessageRecord[] =>
  receivedAts.map((receivedAt, i) => ({ message: aMessage({ id: `m-${i}`, receivedAt, sentAt: receivedAt }) }) as MessageRecord);

describe('historyWithin', () => {
  it('takes the newest `limit` that arrived strictly before, oldest first', () => {
    const recent = records([1, 2, 3, 4, 4, 5]);
    expect(historyWithin(recent, 4, 2)?.map((r) => r.message.id)).toEqual(['m-1', 'm-2']);
    expect(historyWithin(recent, 5, 10)?.map((r) => r.message.id)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
    expect(historyWithin(recent, 5, 0)).toEqual([]);
  });

  it('answers from a full window only when at least `limit` of it arrived before; otherwise the history must be read', () => {
    const full = records(Array.from({ length: RECENT_MESSAGES }, (_, i) => 100 + i));
    expect(historyWithin(full, 100 + RECENT_MESSAGES - 1, 20)?.map((r) => r.message.receivedAt)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + RECENT_MESSAGES - 21 + i));
    // 29 of the window arrived before, but older ones may exist beyond it.
    expect(historyWithin(full, 100 + RECENT_MESSAGES - 1, 30)).toBeUndefined();
    expect(historyWithin(full, 110, 20)).toBeUndefined();
  });
});

describe('ReplyToMessage, the history read once', () => {
  const conversation = async (historyMessages: number, length: number) => {
    const h = replyHarness({ historyMessages, historyTokenBudget: 100_000 });
    const reads = vi.spyOn(h.store, 'history');
    const first = h.message({ text: 'message 0' });
    await h.useCase.execute(first);
    for (let i = 1; i < length; i++) {
      h.clock.advance(1_000);
      await h.useCase.execute(h.message({ participant: first.participant, accountId: first.accountId, text: `message ${i}` }));
    }
    const users = h.model.requests.at(-1)!.turns.filter((turn) => turn.role === 'user').map((turn) => turn.content);
    return { reads: reads.mock.calls.length, users };
  };

  it('builds the prompt from the conversation read for the turn check, without reading its history again', async () => {
    const { reads, users } = await conversation(20, 5);
    expect(users).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);
    expect(reads).toBe(0);
  });

  it('still takes the newest `historyMessages` of a conversation longer than the window it read', async () => {
    const { reads, users } = await conversation(10, 40);
    expect(users).toEqual(Array.from({ length: 11 }, (_, i) => `message ${29 + i}`));
    expect(reads).toBe(0);
  });

  it('reads the history when it reaches further back than that window', async () => {
    const { reads, users } = await conversation(35, 40);
    expect(users).toEqual(Array.from({ length: 36 }, (_, i) => `message ${4 + i}`));
    expect(reads).toBeGreaterThan(0);
  });
});
