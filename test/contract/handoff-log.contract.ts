import { beforeEach, describe, expect, it } from 'vitest';
import { BOT_HANDOFF } from '../../src/domain/model/handoff.js';
import type { ChatStore } from '../../src/domain/ports/chat-store.js';
import { aConversation, freshStore, T0, type MakeChatStore } from './chat-store.fixture.js';

/** The shared cases every HandoffLog implementation must pass: the mode, its compare-and-set, the claim that reads it, the queue. */
export function handoffLogContract(name: string, make: MakeChatStore): void {
  describe(`${name} as HandoffLog`, () => {
    const current = freshStore(make);
    let store: ChatStore;
    beforeEach(() => {
      store = current();
    });

    async function aStoredConversation(receivedAt = T0) {
      const message = aConversation()(receivedAt);
      const { record } = await store.register(message, receivedAt);
      return { message, record };
    }

    it('knows no handoff for a conversation it does not hold, and the bot for one nothing changed', async () => {
      const { message } = await aStoredConversation();

      expect(await store.handoff('c_nobody')).toBeNull();
      expect(await store.replaceHandoff('c_nobody', 0, { mode: 'human', since: T0 })).toBeNull();
      expect(await store.handoff(message.conversationId)).toEqual(BOT_HANDOFF);
      expect((await store.getConversation(message.conversationId))?.handoff).toEqual(BOT_HANDOFF);
    });

    it('replaces the handoff by compare-and-set, dropping the fields the new one lacks, and shows it with the conversation', async () => {
      const { message } = await aStoredConversation();
      const id = message.conversationId;

      const asked = await store.replaceHandoff(id, 0, { mode: 'human', since: T0 + 1, waitingSince: T0 + 1, requestedBy: 'trigger' });
      expect(asked).toEqual({ mode: 'human', since: T0 + 1, waitingSince: T0 + 1, requestedBy: 'trigger', version: 1 });
      expect(await store.replaceHandoff(id, 0, { mode: 'bot', since: T0 + 2 })).toBeNull();

      const taken = await store.replaceHandoff(id, 1, { mode: 'human', agent: 'Grace', since: T0 + 1 });
      expect(taken).toEqual({ mode: 'human', agent: 'Grace', since: T0 + 1, version: 2 });
      expect(await store.handoff(id)).toEqual(taken);
      expect((await store.getConversation(id))?.handoff).toEqual(taken);
      // Another registration of the conversation leaves its handoff alone.
      await store.register(aConversation()(T0), T0);
      await store.register({ ...message, id: `${message.id}-2`, receivedAt: T0 + 5 }, T0 + 5);
      expect(await store.handoff(id)).toEqual(taken);
    });

    it('claims a message under the mode it reads: the bot patch in bot mode, the human patch once a person took it', async () => {
      const at = aConversation();
      const first = at(T0);
      const second = at(T0 + 1000);
      const one = (await store.register(first, T0)).record;
      const two = (await store.register(second, T0 + 1000)).record;
      const patches = { bot: { state: 'generating' as const, leaseUntil: T0 + 60_000 }, human: { state: 'skipped' as const, note: 'human_mode' as const, leaseUntil: 0 } };

      const asBot = await store.claim(first.conversationId, first.id, one.version, patches);
      expect(asBot?.mode).toBe('bot');
      expect(asBot?.record).toMatchObject({ state: 'generating', leaseUntil: T0 + 60_000, version: one.version + 1 });
      // A stale version claims nothing.
      expect(await store.claim(first.conversationId, first.id, one.version, patches)).toBeNull();

      await store.replaceHandoff(first.conversationId, 0, { mode: 'human', agent: 'Grace', since: T0 + 500 });
      const asHuman = await store.claim(second.conversationId, second.id, two.version, patches);
      expect(asHuman?.mode).toBe('human');
      expect(asHuman?.handoff).toEqual({ mode: 'human', agent: 'Grace', since: T0 + 500, version: 1 });
      expect(asBot?.handoff).toEqual(BOT_HANDOFF);
      expect(asHuman?.record).toMatchObject({ state: 'skipped', note: 'human_mode', version: two.version + 1 });
      expect(await store.findMessage(second.conversationId, second.id)).toEqual(asHuman?.record);
    });

    it('lets a claim and a handoff change race without losing either: each sees the other or not, both are written', async () => {
      for (let round = 0; round < 5; round++) {
        const { message, record } = await aStoredConversation(T0 + round);
        const patches = { bot: { state: 'generating' as const }, human: { state: 'skipped' as const, note: 'human_mode' as const } };
        const [claimed, switched] = await Promise.all([
          store.claim(message.conversationId, message.id, record.version, patches),
          store.replaceHandoff(message.conversationId, 0, { mode: 'human', agent: 'Grace', since: T0 }),
        ]);

        expect(switched?.version).toBe(1);
        expect(claimed?.record.state).toBe(claimed?.mode === 'bot' ? 'generating' : 'skipped');
        expect((await store.findMessage(message.conversationId, message.id))?.state).toBe(claimed?.record.state);
      }
    });

    it('lists the conversations waiting for a person, longest waiting first, until someone takes them', async () => {
      const base = T0 - 86_400_000 * 400 - Math.floor(Math.random() * 1e9);
      const waiting = [];
      for (const offset of [3000, 1000, 2000]) {
        const { message } = await aStoredConversation();
        await store.replaceHandoff(message.conversationId, 0, { mode: 'human', since: base + offset, waitingSince: base + offset, requestedBy: 'tool' });
        waiting.push({ id: message.conversationId, at: base + offset });
      }
      const taken = await aStoredConversation();
      await store.replaceHandoff(taken.message.conversationId, 0, { mode: 'human', agent: 'Grace', since: base });
      const mine = new Set([...waiting.map((w) => w.id), taken.message.conversationId]);

      const listed = (await store.waitingForHuman({ limit: 1000 })).filter((c) => mine.has(c.id));
      expect(listed.map((c) => c.id)).toEqual([...waiting].sort((a, b) => a.at - b.at).map((w) => w.id));
      expect(listed[0]).toMatchObject({ channel: 'whatsapp', handoff: { mode: 'human', waitingSince: base + 1000, requestedBy: 'tool', version: 1 } });
      const first = await store.waitingForHuman({ limit: 1 });
      expect(first).toHaveLength(1);
      expect(first[0]!.handoff!.waitingSince!).toBeLessThanOrEqual(base + 1000);

      await store.replaceHandoff(waiting[1]!.id, 1, { mode: 'human', agent: 'Grace', since: base + 1000 });
      const after = (await store.waitingForHuman({ limit: 1000 })).filter((c) => mine.has(c.id));
      expect(after.map((c) => c.id)).toEqual([waiting[2]!.id, waiting[0]!.id]);
    });

    it('forgets the handoff and the agent replies of an erased conversation', async () => {
      const { message } = await aStoredConversation();
      const id = message.conversationId;
      await store.replaceHandoff(id, 0, { mode: 'human', since: T0, waitingSince: T0, requestedBy: 'trigger' });
      await store.addAgentReply({ id: 'ar_1', conversationId: id, inReplyTo: message.id, agent: 'Grace', text: 'hi', createdAt: T0, state: 'queued', version: 1, leaseUntil: 0, outboundIds: [], recorded: false, updatedAt: T0 });

      await store.eraseConversation(id);

      expect(await store.handoff(id)).toBeNull();
      expect(await store.findAgentReply(id, 'ar_1')).toBeNull();
      expect(await store.agentReplies(id, { limit: 10 })).toEqual([]);
      expect((await store.waitingForHuman({ limit: 1000 })).map((c) => c.id)).not.toContain(id);
    });
  });
}
