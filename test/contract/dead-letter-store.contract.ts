import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { userKeyFor } from '../../src/domain/model/ids.js';
import { ValidationError } from '../../src/domain/model/errors.js';
import type { DeadLetter } from '../../src/domain/model/dead-letter.js';
import type { DeadLetterStore } from '../../src/domain/ports/dead-letter-store.js';
import { aMessage } from '../support/builders.js';
import { anInboundDeadLetter, anInteractionDeadLetter } from '../support/dead-letters.js';

// Every list case dead-letters later than any case before it, so its letters are the newest ones
// even though the cases share one store.
let listEpoch = Date.UTC(2090, 0, 1);
const laterThanEverything = () => (listEpoch += 1_000_000_000);

async function allPages(store: DeadLetterStore, limit: number, pages: number): Promise<{ pages: DeadLetter[][]; cursors: (string | null)[] }> {
  const found: DeadLetter[][] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < pages; i++) {
    const page = await store.list({ limit, ...(cursor ? { cursor } : {}) });
    found.push(page.items);
    cursors.push(page.nextCursor);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return { pages: found, cursors };
}

/** The shared cases every DeadLetterStore implementation must pass. */
export function deadLetterStoreContract(name: string, make: () => Promise<DeadLetterStore>): void {
  describe(name, () => {
    it('keeps what it was given, with an id, never replayed, for both topics', async () => {
      const store = await make();
      const inbound = anInboundDeadLetter();
      const interaction = anInteractionDeadLetter(inbound.event.kind === 'message' ? inbound.event.message : aMessage());

      const added = await store.add(inbound);
      const other = await store.add(interaction);

      expect(added.created).toBe(true);
      expect(added.letter).toEqual({ ...inbound, id: expect.any(String), replayedAt: null, replays: 0 });
      expect(await store.get(added.letter.id)).toEqual(added.letter);
      expect(await store.get(other.letter.id)).toEqual({ ...interaction, id: other.letter.id, replayedAt: null, replays: 0 });
    });

    it('stores a letter once per topic and message id, answering the first copy to a redelivery', async () => {
      const store = await make();
      const letter = anInboundDeadLetter();
      const first = await store.add(letter);

      const again = await store.add({ ...letter, deadLetteredAt: letter.deadLetteredAt + 60_000, deliveryAttempts: 7 });
      const racing = await Promise.all([store.add(letter), store.add(letter)]);

      expect(again).toEqual({ letter: first.letter, created: false });
      expect(racing.map((r) => r.created)).toEqual([false, false]);
      const message = letter.event.kind === 'message' ? letter.event.message : aMessage();
      const sameIdOtherTopic = await store.add({ ...anInteractionDeadLetter(message), messageId: letter.messageId });
      expect(sameIdOtherTopic.created).toBe(true);
      expect(sameIdOtherTopic.letter.id).not.toBe(first.letter.id);
    });

    it('lists newest first, a page at a time, ties by id (descending), until the cursor runs out', async () => {
      const store = await make();
      const base = laterThanEverything();
      const times = [base + 3, base + 1, base + 2, base + 2, base + 5];
      const added = await Promise.all(times.map((at) => store.add(anInboundDeadLetter({ deadLetteredAt: at }))));
      const expected = added
        .map((r) => r.letter)
        .sort((a, b) => b.deadLetteredAt - a.deadLetteredAt || (a.id < b.id ? 1 : -1))
        .map((l) => l.id);

      const { pages, cursors } = await allPages(store, 2, 3);

      expect(pages.map((page) => page.length)).toEqual([2, 2, 2]);
      expect(cursors.slice(0, 2)).toEqual([expect.any(String), expect.any(String)]);
      expect(pages.flat().slice(0, 5).map((l) => l.id)).toEqual(expected);
      expect(pages[0]![0]).toEqual(added[4]!.letter);
    });

    it('answers an empty last page with no cursor after the oldest letter', async () => {
      const store = await make();
      const page = await store.list({ limit: 100 });
      let cursor = page.nextCursor;
      let last = page;
      while (cursor) {
        last = await store.list({ limit: 100, cursor });
        cursor = last.nextCursor;
      }
      expect(last.nextCursor).toBeNull();
    });

    it('refuses a cursor it did not make', async () => {
      const store = await make();
      for (const cursor of ['not-a-cursor', Buffer.from('[1,"x"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
        await expect(store.list({ limit: 10, cursor })).rejects.toThrow(ValidationError);
      }
    });

    it('answers null for an unknown or malformed id', async () => {
      const store = await make();
      expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await store.get('not-an-id')).toBeNull();
      expect(await store.markReplayed('not-an-id', 0, 1)).toBeNull();
    });

    it('marks a replay only for the state it was read in: one of two racing replays wins', async () => {
      const store = await make();
      const { letter } = await store.add(anInboundDeadLetter());

      const racing = await Promise.all([store.markReplayed(letter.id, 0, 1_000), store.markReplayed(letter.id, 0, 2_000)]);
      const winner = racing.find((r) => r !== null);

      expect(racing.filter((r) => r !== null)).toHaveLength(1);
      expect(winner).toMatchObject({ id: letter.id, replays: 1 });
      expect(await store.markReplayed(letter.id, 0, 3_000)).toBeNull();
      const forced = await store.markReplayed(letter.id, 1, 4_000);
      expect(forced).toEqual({ ...letter, replays: 2, replayedAt: 4_000 });
      expect(await store.get(letter.id)).toEqual(forced);
    });

    it('deletes every letter of one conversation, of both topics, and nobody else', async () => {
      const store = await make();
      const mine = anInboundDeadLetter();
      const message = mine.event.kind === 'message' ? mine.event.message : aMessage();
      const theirs = anInboundDeadLetter();
      const added = await Promise.all([store.add(mine), store.add(anInteractionDeadLetter(message)), store.add(theirs)]);

      expect(await store.deleteByConversation(mine.conversationId)).toBe(2);
      expect(await store.deleteByConversation(mine.conversationId)).toBe(0);

      expect(await store.get(added[0].letter.id)).toBeNull();
      expect(await store.get(added[1].letter.id)).toBeNull();
      expect(await store.get(added[2].letter.id)).toEqual(added[2].letter);
    });

    it('deletes every letter about one participant, in any conversation and of both topics, and nobody else', async () => {
      const store = await make();
      const participantId = `user-${randomUUID()}`;
      const say = (conversationId: string) => aMessage({ channel: 'api', accountId: 'default', participant: { id: participantId }, conversationId });
      const message = say(`c_${randomUUID()}`);
      const interaction = anInteractionDeadLetter(say(`c_${randomUUID()}`));
      interaction.event.userKey = userKeyFor('api', 'default', participantId);
      const status = anInboundDeadLetter();
      status.event = { kind: 'status', status: { outboundId: `o-${randomUUID()}`, channel: 'api', accountId: 'default', conversationId: `c_${randomUUID()}`, recipientId: participantId, status: 'failed', at: 1 } };
      const elsewhere = [
        anInboundDeadLetter({ message: { ...say(`c_${randomUUID()}`), accountId: 'other' } }),
        anInboundDeadLetter({ message: { ...say(`c_${randomUUID()}`), channel: 'whatsapp' } }),
        anInboundDeadLetter(),
      ];
      const mine = await Promise.all([anInboundDeadLetter({ message }), interaction, status].map((letter) => store.add(letter)));
      const theirs = await Promise.all(elsewhere.map((letter) => store.add(letter)));

      expect(await store.deleteByParticipant({ channel: 'api', accountId: 'default', participantId })).toBe(3);
      expect(await store.deleteByParticipant({ channel: 'api', accountId: 'default', participantId })).toBe(0);

      for (const { letter } of mine) expect(await store.get(letter.id)).toBeNull();
      for (const { letter } of theirs) expect(await store.get(letter.id)).toEqual(letter);
    });

    it('deletes letters dead-lettered before the cutoff, oldest first and at most limit per call, and keeps the rest', async () => {
      const store = await make();
      // Long before any other case's letters: the cutoff reaches only this case's.
      const cutoff = Date.UTC(1985, 0, 1) + Math.floor(Math.random() * 1_000) * 86_400_000;
      const old = [];
      for (const minutes of [3, 2, 1]) old.push((await store.add(anInboundDeadLetter({ deadLetteredAt: cutoff - minutes * 60_000 }))).letter);
      const kept = (await store.add(anInboundDeadLetter({ deadLetteredAt: cutoff }))).letter;

      expect(await store.deleteDeadLetteredBefore(cutoff, 2)).toBe(2);
      expect(await Promise.all(old.map((letter) => store.get(letter.id)))).toEqual([null, null, old[2]]);
      expect(await store.deleteDeadLetteredBefore(cutoff, 2)).toBe(1);
      expect(await store.deleteDeadLetteredBefore(cutoff, 2)).toBe(0);
      expect(await store.get(kept.id)).toEqual(kept);
    });
  });
}
