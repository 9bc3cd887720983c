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
