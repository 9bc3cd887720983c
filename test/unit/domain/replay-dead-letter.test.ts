import { describe, expect, it } from 'vitest';
import { InMemoryDeadLetterStore } from '../../../src/adapters/memory/in-memory-dead-letter-store.js';
import { PublishError } from '../../../src/domain/model/errors.js';
import { ListDeadLetters } from '../../../src/domain/use-cases/list-dead-letters.js';
import { REPLAY_OF_ATTRIBUTE, ReplayDeadLetter } from '../../../src/domain/use-cases/replay-dead-letter.js';
import { aMessage } from '../../support/builders.js';
import { anInboundDeadLetter, anInteractionDeadLetter } from '../../support/dead-letters.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { RecordingMessageBus } from '../../support/recording-message-bus.js';

function aReplay() {
  const store = new InMemoryDeadLetterStore();
  const bus = new RecordingMessageBus();
  const clock = new FixedClock();
  return { store, bus, clock, replay: new ReplayDeadLetter(store, bus, clock) };
}

describe('ReplayDeadLetter', () => {
  it('publishes the event again on its topic with its ordering key and attributes, then marks it replayed', async () => {
    const { store, bus, clock, replay } = aReplay();
    const { letter } = await store.add(anInboundDeadLetter());

    const outcome = await replay.execute({ id: letter.id });

    expect(outcome).toEqual({ kind: 'replayed', letter: { ...letter, replays: 1, replayedAt: clock.now() } });
    expect(bus.published('inbound')).toEqual([{ event: letter.event, orderingKey: letter.conversationId, attributes: { ...letter.attributes, [REPLAY_OF_ATTRIBUTE]: letter.id } }]);
    expect(bus.published('interactions')).toEqual([]);
  });

  it('replays an interaction event to the interactions topic', async () => {
    const { store, bus, replay } = aReplay();
    const { letter } = await store.add(anInteractionDeadLetter(aMessage()));

    expect((await replay.execute({ id: letter.id })).kind).toBe('replayed');
    expect(bus.events('interactions')).toEqual([letter.event]);
    expect(bus.published('inbound')).toEqual([]);
  });

  it('answers already-replayed and publishes nothing the second time, unless forced', async () => {
    const { store, bus, clock, replay } = aReplay();
    const { letter } = await store.add(anInboundDeadLetter());
    await replay.execute({ id: letter.id });
    clock.advance(60_000);

    const again = await replay.execute({ id: letter.id });
    expect(again).toMatchObject({ kind: 'already-replayed', letter: { replays: 1 } });
    expect(bus.published('inbound')).toHaveLength(1);

    const forced = await replay.execute({ id: letter.id, force: true });
    expect(forced).toMatchObject({ kind: 'replayed', letter: { replays: 2, replayedAt: clock.now() } });
    expect(bus.published('inbound')).toHaveLength(2);
  });

  it('records one replay when two replays of the same state race', async () => {
    const { store, replay } = aReplay();
    const { letter } = await store.add(anInboundDeadLetter());

    const outcomes = await Promise.all([replay.execute({ id: letter.id }), replay.execute({ id: letter.id })]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['already-replayed', 'replayed']);
    expect((await store.get(letter.id))?.replays).toBe(1);
  });

  it('answers not-found for an unknown id and publishes nothing', async () => {
    const { bus, replay } = aReplay();
    expect(await replay.execute({ id: '00000000-0000-4000-8000-000000000000' })).toEqual({ kind: 'not-found', id: '00000000-0000-4000-8000-000000000000' });
    expect(bus.empty).toBe(true);
  });

  it('rejects with the retryable publish error and leaves the letter unreplayed when the bus refuses', async () => {
    const { store, bus, replay } = aReplay();
    const { letter } = await store.add(anInboundDeadLetter());
    bus.failNextPublishes(1);

    await expect(replay.execute({ id: letter.id })).rejects.toThrow(PublishError);
    expect(await store.get(letter.id)).toEqual(letter);
    expect((await replay.execute({ id: letter.id })).kind).toBe('replayed');
  });
});

describe('ListDeadLetters', () => {
  it('pages newest first and keeps the page size between 1 and 100', async () => {
    const store = new InMemoryDeadLetterStore();
    const added = (await Promise.all([1, 2, 3].map((n) => store.add(anInboundDeadLetter({ deadLetteredAt: Date.UTC(2030, 0, n) }))))).map((r) => r.letter);
    const list = new ListDeadLetters(store);

    const first = await list.execute({ limit: 2 });
    const rest = await list.execute({ limit: 2, cursor: first.nextCursor! });

    expect([...first.items, ...rest.items].map((l) => l.id)).toEqual([added[2]!.id, added[1]!.id, added[0]!.id]);
    expect(rest.nextCursor).toBeNull();
    expect((await list.execute({ limit: 0 })).items).toHaveLength(3);
    expect((await list.execute({ limit: -5 })).items).toHaveLength(1);
  });
});
