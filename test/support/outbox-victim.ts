// A process that owns a PostgresMessageBus until it is killed: it opens the database (VICTIM_DB:
// `postgres://…` or an embedded data directory), publishes VICTIM_EVENTS (JSON list of
// { event, orderingKey? }) to `interactions`, and consumes them. A delivery whose attempt is below
// VICTIM_HANG_AT nacks; at VICTIM_HANG_AT it prints `delivering <eventId> <attempt>` and never
// settles, holding its lease until the test kills the process with SIGKILL.
import { openDatabase } from '../../src/adapters/postgres/database.js';
import { PostgresMessageBus } from '../../src/adapters/postgres/postgres-message-bus.js';
import type { BusMessage } from '../../src/domain/ports/message-bus.js';
import type { InteractionEvent } from '../../src/domain/model/interaction.js';

const location = process.env.VICTIM_DB!;
const db = await openDatabase(location.startsWith('postgres') ? { url: location } : { embeddedDir: location });
const bus = new PostgresMessageBus(db.orm, {
  ackDeadlineMs: Number(process.env.VICTIM_ACK_DEADLINE_MS ?? 600_000),
  redeliveryDelayMs: 10,
  maxRedeliveryDelayMs: 10,
});
const hangAt = Number(process.env.VICTIM_HANG_AT ?? 1);
await bus.publish('interactions', JSON.parse(process.env.VICTIM_EVENTS ?? '[]') as BusMessage<InteractionEvent>[]);
bus.subscribe('interactions', async ({ event, deliveryAttempt }) => {
  if (deliveryAttempt < hangAt) throw new Error(`nack ${deliveryAttempt}`);
  console.log(`delivering ${event.eventId} ${deliveryAttempt}`);
  await new Promise(() => undefined);
});
console.log('consuming');
