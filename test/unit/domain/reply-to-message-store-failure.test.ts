import { describe, expect, it } from 'vitest';
import { ChatStoreUnavailableError } from '../../../src/adapters/firestore/chat-store-unavailable-error.js';
import { InMemoryChatStore } from '../../../src/adapters/memory/in-memory-chat-store.js';
import type { MessagePatch } from '../../../src/domain/model/message-record.js';
import { ReplyToMessage } from '../../../src/domain/use-cases/reply-to-message.js';
import { replyHarness, testTokens } from '../../support/reply-harness.js';

/** The in-memory chat store, except that the next transition recording outbound ids fails (nothing written). */
class StoreFailingAfterSend extends InMemoryChatStore {
  armed = true;
  override async transition(conversationId: string, messageId: string, expectedVersion: number, patch: MessagePatch) {
    if (this.armed && patch.outboundIds !== undefined) {
      this.armed = false;
      throw new ChatStoreUnavailableError('chat store transition failed (gRPC code 14)');
    }
    return super.transition(conversationId, messageId, expectedVersion, patch);
  }
}

describe('ReplyToMessage', () => {
  it('never sends a reply again when recording its outbound id fails after the send went out', async () => {
    const h = replyHarness();
    const store = new StoreFailingAfterSend();
    const useCase = new ReplyToMessage(store, h.model, h.channel, h.bus, h.clock, h.policy, testTokens(), h.transcriber);
    const message = h.message();

    for (let delivery = 1; delivery <= 5; delivery++) {
      const outcome = await useCase.execute(message).catch(() => undefined);
      if (outcome) break;
      h.clock.advance(h.policy.leaseMs + 1); // the redelivery comes after any lease ran out
    }

    expect(h.channel.sent).toHaveLength(1);
  });
});
