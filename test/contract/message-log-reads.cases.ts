import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '../../src/domain/model/message.js';
import type { ConversationArchive } from '../../src/domain/ports/conversation-archive.js';
import type { MessageLog } from '../../src/domain/ports/message-log.js';
import { aConversation, aStatus, sentMessage as sentTo, T0 } from './chat-store.fixture.js';

/** MessageLog cases about a sent reply: delivery statuses, reads by id and outbound id, copies. */
export function messageLogReadCases(current: () => MessageLog & ConversationArchive): void {
  let store: MessageLog & ConversationArchive;
  beforeEach(() => {
    store = current();
  });

  const sentMessage = (message: InboundMessage, outboundIds: string[]) => sentTo(store, message, outboundIds);

    describe('applyStatus', () => {
      it('returns unknown when no stored reply has the outbound id', async () => {
        const message = aConversation()(T0);
        expect(await store.applyStatus(aStatus(message, `out-${randomUUID()}`, 'delivered'))).toBe('unknown');
      });

      it('never regresses the delivery when statuses arrive out of order', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(message, [outboundId]);

        expect(await store.applyStatus(aStatus(message, outboundId, 'read', { at: T0 + 3000 }))).toBe('applied');
        expect(await store.applyStatus(aStatus(message, outboundId, 'delivered', { at: T0 + 2000 }))).toBe('stale');
        expect(await store.applyStatus(aStatus(message, outboundId, 'sent', { at: T0 + 1000 }))).toBe('stale');
        expect(await store.applyStatus(aStatus(message, outboundId, 'read', { at: T0 + 4000 }))).toBe('stale');

        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored?.delivery).toMatchObject({ status: 'read', at: T0 + 3000 });
        expect(stored?.state).toBe('sent');
      });

      it('advances the delivery step by step and records the error code when statuses arrive in order', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(message, [`other-${randomUUID()}`, outboundId]);

        expect(await store.applyStatus(aStatus(message, outboundId, 'sent'))).toBe('applied');
        expect(await store.applyStatus(aStatus(message, outboundId, 'delivered'))).toBe('applied');
        expect(await store.applyStatus(aStatus(message, outboundId, 'failed', { errors: [{ code: 131047, title: 'Re-engagement' }] }))).toBe('applied');

        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored?.delivery).toMatchObject({ status: 'failed', errorCode: 131047 });
      });

      it('keeps the pricing category when a later status carries none', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(message, [outboundId]);

        await store.applyStatus(aStatus(message, outboundId, 'sent', { pricing: { billable: true, category: 'service' } }));
        await store.applyStatus(aStatus(message, outboundId, 'delivered'));
        await store.applyStatus(aStatus(message, outboundId, 'read'));

        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored?.delivery).toMatchObject({ status: 'read', pricingCategory: 'service' });
      });

      it("keeps all of Meta's pricing, also when only a late, stale status carries it", async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        await sentMessage(message, [outboundId]);

        await store.applyStatus(aStatus(message, outboundId, 'read'));
        await store.applyStatus(aStatus(message, outboundId, 'delivered', { pricing: { billable: false, model: 'PMP', category: 'utility', type: 'regular' } }));

        const [stored] = await store.messages(message.conversationId, { limit: 1 });
        expect(stored?.delivery).toMatchObject({ status: 'read', pricingCategory: 'utility', pricingType: 'regular', pricingModel: 'PMP', billable: false });
      });

      it('bumps the version so a writer holding the old version loses when a status is applied', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        const sent = await sentMessage(message, [outboundId]);

        await store.applyStatus(aStatus(message, outboundId, 'delivered'));

        expect(await store.transition(message.conversationId, message.id, sent.version, { recorded: true })).toBeNull();
        expect((await store.register(message, T0)).record.delivery?.status).toBe('delivered');
      });
    });

    describe('findMessage and findByOutboundId', () => {
      it('reads the stored message by id and by an outbound id of its reply, without claiming anything', async () => {
        const message = aConversation()(T0);
        const outboundId = `out-${randomUUID()}`;
        const sent = await sentMessage(message, [outboundId]);

        expect(await store.findMessage(message.conversationId, message.id)).toEqual(sent);
        expect(await store.findByOutboundId(outboundId)).toEqual(sent);
        expect(await store.findByOutboundId(`out-${randomUUID()}`)).toBeNull();
        const unseen = aConversation()(T0);
        expect(await store.findMessage(unseen.conversationId, unseen.id)).toBeNull();
        // A read is not a claim: the unseen message is still new to `register`.
        expect((await store.register(unseen, T0)).created).toBe(true);
      });

      it('keeps a resolution and a window template send on the record', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);
        const patch = {
          resolved: { status: 'delivered' as const, at: T0 + 5 },
          windowTemplate: { name: 'reengage', state: 'sent' as const, at: T0 + 6, outboundIds: ['wamid.t'] },
        };
        await store.transition(message.conversationId, message.id, record.version, patch);

        expect(await store.findMessage(message.conversationId, message.id)).toMatchObject(patch);
      });
    });

    describe('copies', () => {
      it('keeps the stored state when callers mutate what they passed in or got back', async () => {
        const message = aConversation()(T0);
        const { record } = await store.register(message, T0);
        const expected = structuredClone(record);

        message.participant.name = 'Mallory';
        (message.content as { body: string }).body = 'mutated input';
        record.state = 'failed';
        record.outboundIds.push('injected');
        record.message.id = 'other';
        const patch = { outboundIds: ['o-1'] };
        const next = await store.transition(expected.message.conversationId, expected.message.id, expected.version, patch);
        patch.outboundIds.push('o-2');
        next!.outboundIds.push('o-3');
        const [listed] = await store.messages(expected.message.conversationId, { limit: 1 });
        listed!.state = 'skipped';
        const [earlier] = await store.history(expected.message.conversationId, { before: T0 + 1, limit: 1 });
        earlier!.attempts = 99;
        const conversation = await store.getConversation(expected.message.conversationId);
        conversation!.messageCount = 42;
        conversation!.participant.name = 'Eve';

        const stored = (await store.register(expected.message, T0)).record;
        expect(stored).toEqual({ ...expected, outboundIds: ['o-1'], version: expected.version + 1 });
        expect(await store.getConversation(expected.message.conversationId)).toMatchObject({ messageCount: 1, participant: { name: 'Ada' } });
      });
    });
}
