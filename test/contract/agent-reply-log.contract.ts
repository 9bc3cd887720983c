import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { newAgentReply, type AgentReply } from '../../src/domain/model/agent-reply.js';
import type { AgentReplyLog } from '../../src/domain/ports/agent-reply-log.js';
import { freshStore, T0, type MakeChatStore } from './chat-store.fixture.js';

/** The shared cases every AgentReplyLog implementation must pass: create-if-absent, compare-and-set, the transcript's range reads. */
export function agentReplyLogContract(name: string, make: MakeChatStore): void {
  describe(`${name} as AgentReplyLog`, () => {
    const current = freshStore(make);
    let store: AgentReplyLog;
    beforeEach(() => {
      store = current();
    });

    const aReply = (conversationId: string, createdAt: number, extra: Partial<AgentReply> = {}): AgentReply => ({
      ...newAgentReply({ id: `ar_${randomUUID()}`, conversationId, inReplyTo: 'wamid.1', agent: 'Grace Hopper', text: `reply at ${createdAt}`, createdAt }),
      ...extra,
    });

    it('stores a reply once: the same id again gives back the stored one, untouched', async () => {
      const conversationId = `c_${randomUUID()}`;
      const reply = aReply(conversationId, T0, { template: { name: 'hello_again', language: 'en' } });

      expect(await store.addAgentReply(reply)).toEqual({ created: true, reply });
      expect(await store.addAgentReply({ ...reply, text: 'another text' })).toEqual({ created: false, reply });
      expect(await store.findAgentReply(conversationId, reply.id)).toEqual(reply);
      expect(await store.findAgentReply(conversationId, 'ar_missing')).toBeNull();
      expect(await store.findAgentReply(`c_${randomUUID()}`, reply.id)).toBeNull();
    });

    it('moves a reply on by compare-and-set, clearing fields set to undefined', async () => {
      const conversationId = `c_${randomUUID()}`;
      const { reply } = await store.addAgentReply(aReply(conversationId, T0));

      const sending = await store.transitionAgentReply(conversationId, reply.id, 1, { state: 'sending', leaseUntil: T0 + 60_000, failureReason: 'whatsapp_unreachable', updatedAt: T0 + 1 });
      expect(sending).toEqual({ ...reply, state: 'sending', leaseUntil: T0 + 60_000, failureReason: 'whatsapp_unreachable', updatedAt: T0 + 1, version: 2 });
      expect(await store.transitionAgentReply(conversationId, reply.id, 1, { state: 'failed' })).toBeNull();
      expect(await store.transitionAgentReply(conversationId, 'ar_missing', 1, { state: 'failed' })).toBeNull();

      const sent = await store.transitionAgentReply(conversationId, reply.id, 2, { state: 'sent', leaseUntil: 0, outboundIds: ['wamid.out.1'], failureReason: undefined, settledAt: T0 + 2 });
      expect(sent).toEqual({ ...reply, state: 'sent', leaseUntil: 0, outboundIds: ['wamid.out.1'], settledAt: T0 + 2, updatedAt: T0 + 1, version: 3 });
      expect(await store.findAgentReply(conversationId, reply.id)).toEqual(sent);
    });

    it('reads a conversation\'s replies created in a range, oldest first, ties by id, up to a limit', async () => {
      const conversationId = `c_${randomUUID()}`;
      const other = `c_${randomUUID()}`;
      const replies = [aReply(conversationId, T0 + 3000), aReply(conversationId, T0 + 1000), aReply(conversationId, T0 + 2000), aReply(conversationId, T0 + 2000), aReply(other, T0 + 1500)];
      for (const reply of replies) await store.addAgentReply(reply);
      const ordered = replies.slice(0, 4).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));

      expect(await store.agentReplies(conversationId, { limit: 10 })).toEqual(ordered);
      expect(await store.agentReplies(conversationId, { limit: 2 })).toEqual(ordered.slice(0, 2));
      expect(await store.agentReplies(conversationId, { from: T0 + 2000, limit: 10 })).toEqual(ordered.slice(1));
      expect(await store.agentReplies(conversationId, { from: T0 + 1000, to: T0 + 3000, limit: 10 })).toEqual(ordered.slice(0, 3));
      expect(await store.agentReplies(conversationId, { to: T0 + 1000, limit: 10 })).toEqual([]);
      expect(await store.agentReplies(`c_${randomUUID()}`, { limit: 10 })).toEqual([]);
    });
  });
}
