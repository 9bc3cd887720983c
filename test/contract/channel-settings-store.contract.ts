import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { ChannelSettingsStore } from '../../src/domain/ports/channel-settings-store.js';
import { freshStore, T0, type MakeChatStore } from './chat-store.fixture.js';

/** The shared cases every ChannelSettingsStore implementation must pass. */
export function channelSettingsStoreContract(name: string, make: MakeChatStore): void {
  describe(`${name} as ChannelSettingsStore`, () => {
    const current = freshStore(make);
    let store: ChannelSettingsStore;
    beforeEach(() => {
      store = current();
    });

    describe('channel settings', () => {
      it('returns null for a channel without settings and the saved document after a save', async () => {
        const accountId = `acct-${randomUUID()}`;
        expect(await store.channelSettings(accountId)).toBeNull();

        const settings = { accountId, systemPrompt: 'Be brief.', model: 'gpt-4o-mini', temperature: 0.2, windowTemplate: { name: 'hello', language: 'en' }, updatedAt: T0 };
        await store.saveChannelSettings(settings);
        expect(await store.channelSettings(accountId)).toEqual(settings);

        await store.saveChannelSettings({ accountId, fallbackText: 'Later!', updatedAt: T0 + 1 });
        expect(await store.channelSettings(accountId)).toEqual({ accountId, fallbackText: 'Later!', updatedAt: T0 + 1 });
      });

      it('gives back the tools as saved: their JSON Schemas whole, nested objects, lists in lists and keys such as $schema included', async () => {
        const accountId = `acct-${randomUUID()}`;
        const parameters = {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          type: 'object',
          properties: {
            orderNumber: { type: 'string', pattern: '^[0-9]{6}$', description: 'As printed' },
            note: { type: ['string', 'null'], maxLength: 200 },
            items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } } }, minItems: 0 },
            express: { type: 'boolean', default: false },
            channel: { enum: ['web', 'store', 42, null] },
            // An array in an array: Firestore stores none directly.
            pair: { enum: [[1, 2], ['a']], examples: [[1, 2]] },
          },
          required: ['orderNumber'],
          additionalProperties: false,
        };
        const tools = [
          { name: 'order_status', description: 'The status of an order', parameters, url: 'https://shop.example.com/tools/order-status', timeoutMs: 5000 },
          { name: 'stores-near', description: 'Stores near a place', parameters: { type: 'object' }, url: 'http://10.0.0.7:8080/stores' },
        ];
        await store.saveChannelSettings({ accountId, systemPrompt: 'Be brief.', tools, updatedAt: T0 });

        expect(await store.channelSettings(accountId)).toEqual({ accountId, systemPrompt: 'Be brief.', tools, updatedAt: T0 });
        expect((await store.listChannelSettings()).find((s) => s.accountId === accountId)?.tools).toEqual(tools);
        await store.saveChannelSettings({ accountId, systemPrompt: 'Be brief.', updatedAt: T0 + 1 });
        expect((await store.channelSettings(accountId))?.tools).toBeUndefined();
      });

      it('keeps the settings of accounts apart when their ids contain / or dots', async () => {
        const base = `acct-${randomUUID()}`;
        const ids = [`${base}/a`, `${base}%2Fa`, `${base}.`];
        for (const [i, accountId] of ids.entries()) await store.saveChannelSettings({ accountId, maxReplyTokens: i + 1, updatedAt: T0 });

        for (const [i, accountId] of ids.entries()) expect(await store.channelSettings(accountId)).toEqual({ accountId, maxReplyTokens: i + 1, updatedAt: T0 });
      });

      it('lists every channel with settings, ordered by account id, when asked for all', async () => {
        const base = `acct-${randomUUID()}`;
        await store.saveChannelSettings({ accountId: `${base}-b`, systemPrompt: 'B', updatedAt: T0 });
        await store.saveChannelSettings({ accountId: `${base}-a`, systemPrompt: 'A', updatedAt: T0 });
        await store.saveChannelSettings({ accountId: `${base}-a`, systemPrompt: 'A2', updatedAt: T0 + 1 });

        const mine = (await store.listChannelSettings()).filter((s) => s.accountId.startsWith(base));
        expect(mine).toEqual([
          { accountId: `${base}-a`, systemPrompt: 'A2', updatedAt: T0 + 1 },
          { accountId: `${base}-b`, systemPrompt: 'B', updatedAt: T0 },
        ]);
      });
    });
  });
}
