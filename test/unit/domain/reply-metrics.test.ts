import { describe, expect, it } from 'vitest';
import { ChatStoreUnavailableError } from '../../../src/adapters/firestore/chat-store-unavailable-error.js';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import type { MessagePatch } from '../../../src/domain/model/message-record.js';
import type { ReplyFact } from '../../../src/domain/ports/reply-metrics.js';
import { ReplyToMessage } from '../../../src/domain/use-cases/reply-to-message.js';
import { replyHarness, testTokens } from '../../support/reply-harness.js';

/** The in-memory chat store, except that the first write marking a message recorded fails (nothing written). */
class StoreFailingToMarkRecorded extends InMemoryChatStore {
  armed = true;
  override async transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch) {
    if (this.armed && patch.recorded === true) {
      this.armed = false;
      throw new ChatStoreUnavailableError('chat store transition failed (gRPC code 14)');
    }
    return super.transition(conversationId, messageId, expectedVersion, patch);
  }
}

describe('ReplyToMessage metrics', () => {
  it('reports one sent reply with its channel and latency when a message is answered, and nothing more on redelivery', async () => {
    const h = replyHarness();
    const message = h.message({ text: 'Do you deliver on Sundays?' });
    h.clock.advance(850);

    await h.useCase.execute(message);
    await h.useCase.execute(message);

    expect(h.replyFacts).toEqual([{ channel: 'whatsapp', outcome: 'sent', latencyMs: 850 }]);
  });

  it('reports a failed reply when the channel refuses it for good', async () => {
    const h = replyHarness();
    h.channel.failNext(1, false, 'callback_http_400');
    const message = h.message({ channel: 'api' });

    await h.useCase.execute(message);

    expect(h.replyFacts).toEqual([{ channel: 'api', outcome: 'failed', latencyMs: expect.any(Number) }]);
  });

  it('reports a skipped message without a latency when nothing was answered', async () => {
    const h = replyHarness();
    const message = h.message({ content: { type: 'reaction', emoji: '👍', messageId: 'wamid.x' } });

    const outcome = await h.useCase.execute(message);

    expect(outcome.state).toBe('skipped');
    expect(h.replyFacts).toEqual([{ channel: 'whatsapp', outcome: 'skipped' }]);
  });

  it('counts a reply once when marking it recorded fails and a redelivery records it', async () => {
    const h = replyHarness();
    const facts: ReplyFact[] = [];
    const useCase = new ReplyToMessage(new StoreFailingToMarkRecorded(), h.model, h.channel, h.bus, h.clock, h.policy, testTokens(), h.transcriber, {
      replyRecorded: (fact) => void facts.push(fact),
    });
    const message = h.message();

    await expect(useCase.execute(message)).rejects.toThrow(ChatStoreUnavailableError);
    expect(facts).toEqual([]);
    await useCase.execute(message);

    expect(facts).toEqual([{ channel: 'whatsapp', outcome: 'sent', latencyMs: 0 }]);
  });
});
