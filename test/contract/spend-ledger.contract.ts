import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ChatStore } from '../../src/domain/ports/chat-store.js';
import { aConversation, A_REPLY, freshStore, T0, type MakeChatStore } from './chat-store.fixture.js';

/** The shared cases every SpendLedger implementation must pass: atomic settling and capped reservations. */
export function spendLedgerContract(name: string, make: MakeChatStore): void {
  describe(`${name} as SpendLedger`, () => {
    const current = freshStore(make);
    let store: ChatStore;
    beforeEach(() => {
      store = current();
    });

    describe('daily spend', () => {
      it('adds settled spend per channel and day atomically and reads 0 for a day without spend', async () => {
        const accountId = `acct-${randomUUID()}`;
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.settleSpend(accountId, '2026-11-25', `m-${i}`, 0.125)));
        await store.settleSpend(accountId, '2026-11-26', 'm-a', 1);
        await store.settleSpend(`other-${accountId}`, '2026-11-25', 'm-b', 7);

        expect(await store.spendOf(accountId, '2026-11-25')).toBeCloseTo(1.25, 10);
        expect(await store.spendOf(accountId, '2026-11-26')).toBe(1);
        expect(await store.spendOf(accountId, '2026-11-24')).toBe(0);
      });

      it('grants racing reservations only while spent plus reserved plus the estimate stays within the cap', async () => {
        const accountId = `acct-${randomUUID()}`;
        await store.settleSpend(accountId, '2026-11-25', 'earlier', 0.5);

        const granted = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.reserveSpend(accountId, '2026-11-25', { key: `m-${i}`, usd: 0.25, until: T0 + 60_000 }, 1.3, T0)),
        );

        expect(granted.filter(Boolean)).toHaveLength(3);
        expect(await store.spendOf(accountId, '2026-11-25')).toBe(0.5);
        expect(await store.reserveSpend(`other-${accountId}`, '2026-11-25', { key: 'm-x', usd: 0.25, until: T0 + 60_000 }, 1.3, T0)).toBe(true);
      });

      it('replaces a reservation by the real cost when settled, frees it when released, and never counts one twice under its key', async () => {
        const accountId = `acct-${randomUUID()}`;
        const day = '2026-11-25';
        const reserve = (key: string, usd: number) => store.reserveSpend(accountId, day, { key, usd, until: T0 + 60_000 }, 1, T0);
        expect(await reserve('a', 0.5)).toBe(true);
        expect(await reserve('a', 0.5)).toBe(true);
        expect(await reserve('b', 0.5)).toBe(true);
        expect(await reserve('c', 0.1)).toBe(false);

        await store.settleSpend(accountId, day, 'a', 0.2);
        expect(await store.spendOf(accountId, day)).toBeCloseTo(0.2, 10);
        expect(await reserve('c', 0.3)).toBe(true);
        expect(await reserve('d', 0.1)).toBe(false);

        await store.settleSpend(accountId, day, 'b', 0);
        expect(await store.spendOf(accountId, day)).toBeCloseTo(0.2, 10);
        expect(await reserve('d', 0.5)).toBe(true);
      });

      it('stops counting a reservation whose holder did not settle it in time, and refuses at the cap even an estimate of 0', async () => {
        const accountId = `acct-${randomUUID()}`;
        const day = '2026-11-25';
        expect(await store.reserveSpend(accountId, day, { key: 'crashed', usd: 1, until: T0 + 1_000 }, 1, T0)).toBe(true);
        expect(await store.reserveSpend(accountId, day, { key: 'next', usd: 0.5, until: T0 + 61_000 }, 1, T0 + 999)).toBe(false);
        expect(await store.reserveSpend(accountId, day, { key: 'next', usd: 0.5, until: T0 + 61_000 }, 1, T0 + 1_000)).toBe(true);

        await store.settleSpend(accountId, day, 'next', 1);
        expect(await store.reserveSpend(accountId, day, { key: 'free', usd: 0, until: T0 + 61_000 }, 1, T0 + 2_000)).toBe(false);
      });
    });

    describe('settled with the message transition that stores the reply', () => {
      const day = '2026-11-25';

      it('counts the cost and frees the reservation only when the transition is written, once when transitions race', async () => {
        const message = aConversation()(T0);
        const { accountId } = message;
        const { record } = await store.register(message, T0);
        expect(await store.reserveSpend(accountId, day, { key: message.id, usd: 0.75, until: T0 + 60_000 }, 1, T0)).toBe(true);
        const settlement = { accountId, day, key: message.id, usd: 0.25 };
        const answered = { state: 'answered' as const, reply: A_REPLY };

        expect(await store.transition(message.conversationId, message.id, record.version + 1, answered, settlement)).toBeNull();
        expect(await store.spendOf(accountId, day)).toBe(0);
        expect(await store.reserveSpend(accountId, day, { key: 'other', usd: 0.5, until: T0 + 60_000 }, 1, T0)).toBe(false);

        const racing = await Promise.all(Array.from({ length: 4 }, () => store.transition(message.conversationId, message.id, record.version, answered, settlement)));
        expect(racing.filter((next) => next !== null)).toHaveLength(1);
        expect(await store.spendOf(accountId, day)).toBeCloseTo(0.25, 10);
        expect(await store.reserveSpend(accountId, day, { key: 'other', usd: 0.5, until: T0 + 60_000 }, 1, T0)).toBe(true);
      });

      it('adds the cost to what the day already spent when no reservation was held', async () => {
        const message = aConversation()(T0);
        const { accountId } = message;
        await store.settleSpend(accountId, day, 'earlier', 0.5);
        const { record } = await store.register(message, T0);

        const next = await store.transition(message.conversationId, message.id, record.version, { state: 'answered', reply: A_REPLY }, { accountId, day, key: message.id, usd: 0.25 });

        expect(next?.state).toBe('answered');
        expect(await store.spendOf(accountId, day)).toBeCloseTo(0.75, 10);
        expect(await store.spendOf(accountId, '2026-11-26')).toBe(0);
      });
    });
  });
}
