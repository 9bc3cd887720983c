import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../src/adapters/bus-delivery.js';
import { openDatabase, type Database } from '../../src/adapters/postgres/database.js';
import { PostgresMessageBus, type PostgresBusOptions } from '../../src/adapters/postgres/postgres-message-bus.js';
import { PublishError } from '../../src/domain/model/errors.js';
import type { InteractionEvent, StatusInteraction } from '../../src/domain/model/interaction.js';
import { Child } from '../support/child-process.js';
import { aFreshDatabase, DATABASE_KINDS, type DatabaseKind } from '../support/databases.js';
import { aStatusEvent } from '../support/builders.js';

// Each case starts real processes (tsx, and PGlite reopening its directory): seconds each on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

const VICTIM = join(process.cwd(), 'test/support/outbox-victim.ts');

/**
 * One database that outlives the processes opening it: a database on the run's PostgreSQL server,
 * or a PGlite data directory (opened by one process at a time, so a new "process" is a real reopen).
 */
interface Place {
  location: string;
  open(): Promise<Database>;
  remove(): Promise<void>;
}

async function aPlace(kind: DatabaseKind): Promise<Place> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    return { location: dir, open: () => openDatabase({ embeddedDir: dir }), remove: () => rm(dir, { recursive: true, force: true }) };
  }
  const fresh = await aFreshDatabase('postgres');
  return { location: fresh.url!, open: () => openDatabase({ url: fresh.url! }), remove: () => fresh.close() };
}


/** Starts a process that publishes `events`, consumes them and dies (SIGKILL) in the handler of its attempt `hangAt`. */
async function killedWhileDelivering(place: Place, events: StatusInteraction[], options: { hangAt?: number; ackDeadlineMs?: number } = {}): Promise<string> {
  // One process (node with tsx's loader, not the tsx CLI, which would run the script in a child of its own).
  const child = new Child(
    process.execPath,
    ['--import', 'tsx', VICTIM],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      VICTIM_DB: place.location,
      VICTIM_EVENTS: JSON.stringify(events.map((event) => ({ event, orderingKey: event.conversationId }))),
      VICTIM_HANG_AT: String(options.hangAt ?? 1),
      VICTIM_ACK_DEADLINE_MS: String(options.ackDeadlineMs ?? 600_000),
    },
    process.cwd(),
  );
  const line = await child.waitForLine((text) => text.startsWith('delivering '), 90_000);
  child.process.kill('SIGKILL');
  await child.exited;
  return line;
}

for (const kind of DATABASE_KINDS) {
  describe(`PostgresMessageBus across restarts on ${kind}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function place(): Promise<Place> {
      const made = await aPlace(kind);
      cleanups.push(() => made.remove());
      return made;
    }

    async function opened(at: Place): Promise<Database> {
      const db = await at.open();
      cleanups.push(() => db.close());
      return db;
    }

    /** A bus that records what it is handed; `settle` decides each delivery (default: ack). */
    function aBus(db: Database, options: PostgresBusOptions = {}, settle: (delivery: Delivery<InteractionEvent>) => Promise<void> = async () => undefined) {
      const deliveries: Delivery<InteractionEvent>[] = [];
      const deadLetters: Delivery<unknown>[] = [];
      const bus = new PostgresMessageBus(db.orm, { redeliveryDelayMs: 10, pollIntervalMs: 100, onDeadLetter: (_topic, delivery) => void deadLetters.push(delivery), ...options });
      cleanups.push(() => bus.close());
      const consume = () =>
        bus.subscribe('interactions', async (delivery) => {
          deliveries.push(delivery);
          await settle(delivery);
        });
      return { bus, deliveries, deadLetters, consume };
    }

    it('delivers what was published before a clean shutdown when a new bus opens the same database', async () => {
      const at = await place();
      const run = randomUUID();
      const first = await at.open();
      const before = new PostgresMessageBus(first.orm);
      await before.publish('interactions', [0, 1, 2].map((i) => ({ event: aStatusEvent(run, 'k', i), orderingKey: 'k', attributes: { kind: 'status' } })));
      await before.close();
      await first.close();

      const { bus, deliveries, consume } = aBus(await opened(at));
      consume();
      await bus.idle();

      expect(deliveries.map((d) => [d.event.eventId, d.deliveryAttempt, d.orderingKey, d.attributes['kind']])).toEqual(
        [0, 1, 2].map((i) => [`${run}:k:${i}`, 1, 'k', 'status']),
      );
      expect(new Set(deliveries.map((d) => d.messageId)).size).toBe(3);
    });

    it('redelivers at once, with the next attempt, a delivery whose process was killed when the new bus releases leases at start', async () => {
      const at = await place();
      const run = randomUUID();
      const line = await killedWhileDelivering(at, [aStatusEvent(run, 'k', 0)]);
      expect(line).toBe(`delivering ${run}:k:0 1`);

      // The dead process's lease has ten minutes to run: only the release can make this delivery happen.
      const { bus, deliveries, consume } = aBus(await opened(at), { releaseLeasesAtStart: true });
      consume();
      await bus.idle();

      expect(deliveries.map((d) => [d.event.eventId, d.deliveryAttempt])).toEqual([[`${run}:k:0`, 2]]);
    });

    it('leaves a killed process’s delivery alone while its lease runs, and redelivers it once the lease has expired', async () => {
      const at = await place();
      const run = randomUUID();
      await killedWhileDelivering(at, [aStatusEvent(run, 'leased', 0)], { ackDeadlineMs: 600_000 });
      const db = await opened(at);
      const waiting = aBus(db);
      waiting.consume();
      await waiting.bus.publish('interactions', [{ event: aStatusEvent(run, 'fresh', 0), orderingKey: 'fresh' }]);
      await expect.poll(() => waiting.deliveries.map((d) => d.event.eventId), { timeout: 15_000 }).toContain(`${run}:fresh:0`);
      // The leased row is older than the fresh one: claimable, it would have come in the same claim or before.
      expect(waiting.deliveries.map((d) => d.event.eventId)).toEqual([`${run}:fresh:0`]);
      await waiting.bus.close();

      // Another run whose process dies with a short lease: a bus that does not release leases takes it over after expiry.
      const other = await place();
      await killedWhileDelivering(other, [aStatusEvent(run, 'short', 0)], { ackDeadlineMs: 1_000 });
      const { bus, deliveries, consume } = aBus(await opened(other));
      consume();
      await bus.idle();
      expect(deliveries.map((d) => [d.event.eventId, d.deliveryAttempt])).toEqual([[`${run}:short:0`, 2]]);
    });

    it('keeps a key in publish order, each message once, when the process dies delivering the key’s first message', async () => {
      const at = await place();
      const run = randomUUID();
      await killedWhileDelivering(at, [0, 1, 2].map((i) => aStatusEvent(run, 'k', i)));

      const { bus, deliveries, consume } = aBus(await opened(at), { releaseLeasesAtStart: true });
      consume();
      await bus.idle();

      expect(deliveries.map((d) => [d.event.eventId, d.deliveryAttempt])).toEqual([
        [`${run}:k:0`, 2],
        [`${run}:k:1`, 1],
        [`${run}:k:2`, 1],
      ]);
    });

    it('dead-letters a message after its 5th failed delivery, calling onDeadLetter once, and goes on with its key', async () => {
      const at = await place();
      const run = randomUUID();
      const nacks: number[] = [];
      const { bus, deliveries, deadLetters, consume } = aBus(await opened(at), { onNack: (_topic, delivery) => void nacks.push(delivery.deliveryAttempt) }, async ({ event }) => {
        if (event.eventId.endsWith(':0')) throw new Error('poison');
      });
      consume();
      await bus.publish('interactions', [0, 1].map((i) => ({ event: aStatusEvent(run, 'k', i), orderingKey: 'k' })));
      await bus.idle();

      expect(deliveries.map((d) => [d.event.eventId, d.deliveryAttempt])).toEqual([...[1, 2, 3, 4, 5].map((n) => [`${run}:k:0`, n]), [`${run}:k:1`, 1]]);
      expect(nacks).toEqual([1, 2, 3, 4, 5]);
      expect(deadLetters).toMatchObject([{ event: aStatusEvent(run, 'k', 0), deliveryAttempt: 5, orderingKey: 'k' }]);
    });

    it('dead-letters without a 6th delivery a message whose process died during its 5th attempt', async () => {
      const at = await place();
      const run = randomUUID();
      await killedWhileDelivering(at, [0, 1].map((i) => aStatusEvent(run, 'k', i)), { hangAt: 5 });

      const { bus, deliveries, deadLetters, consume } = aBus(await opened(at), { releaseLeasesAtStart: true });
      consume();
      await bus.idle();

      expect(deadLetters).toMatchObject([{ event: aStatusEvent(run, 'k', 0), deliveryAttempt: 5 }]);
      expect(deliveries.map((d) => [d.event.eventId, d.deliveryAttempt])).toEqual([[`${run}:k:1`, 1]]);
    });

    it('rejects publish with a retryable PublishError, naming no payload, when the database is gone', async () => {
      const at = await place();
      const db = await at.open();
      const bus = new PostgresMessageBus(db.orm);
      cleanups.push(() => bus.close());
      await bus.publish('interactions', [{ event: aStatusEvent('r', 'k', 0) }]);
      await (kind === 'pglite' ? db.close() : at.remove());

      const error = await bus.publish('interactions', [{ event: { ...aStatusEvent('r', 'k', 1), outboundId: 'SECRET-TEXT-outbox' } }]).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PublishError);
      expect(error).toMatchObject({ retryable: true, code: 'publish_failed' });
      expect((error as Error).message).not.toContain('SECRET-TEXT');
      if (kind === 'postgres') await db.close();
    });
  });
}
