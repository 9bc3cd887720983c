import type { TopicName } from '../../domain/ports/message-bus.js';
import { runWithTrace, traceFrom } from '../../observability/trace-context.js';
import type { Delivery, DeliveryHandler } from '../bus-delivery.js';
import { ackAndClaimNext, claimInserted, claimRows, deleteClaimed, extendLeases, releaseAllLeases, releaseClaim, vacuumOutbox, type ClaimedRow, type ClaimRef } from './outbox-sql.js';
import { outboxError, type OutboxStatements } from './outbox-statements.js';
import type { ResolvedBusOptions } from './postgres-message-bus.js';
import { SerialBatches } from './serial-batches.js';

const MAX_ROWS_PER_CLAIM = 100;
const MAX_ACKS_PER_DELETE = 500;
const MAX_IDS_PER_CLAIM = 500;
/**
 * Rows inserted or deleted between two VACUUMs of the outbox. Embedded PGlite has no autovacuum:
 * without it the dead rows of acked heads pile up in front of every key's index range and each
 * claim walks them, and a backlog that grew since the last ANALYZE is planned as the small table
 * it was (a claim took ~8× longer behind 17,000 queued notifications).
 */
const VACUUM_AFTER_CHANGES = 2_000;

/**
 * The in-process consumer of the outbox. One claim statement runs at a time and takes what the free
 * slots allow; each claimed row is handed to its topic's handler with no transaction open. A claim
 * in flight is renewed until it settles; a nack frees the row after a backoff, and the last failed
 * attempt dead-letters it.
 *
 * Claims cost the fewest statements on the hot path: rows this process inserts are claimed by id
 * (an index probe each), the ack of a key's head claims the key's next row in the same statement,
 * and unordered acks are deleted in groups. The full claim, which walks every key, runs only when
 * rows may wait that those two miss (`scan`): at start, on the safety poll, after a backoff or a
 * dead letter, when the slots were full, and when the last full claim filled every slot.
 */
export class OutboxConsumer {
  private readonly handlers = new Map<TopicName, DeliveryHandler<unknown>>();
  private readonly inFlight = new Map<string, ClaimRef>();
  private readonly acks: SerialBatches<ClaimRef>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private poll: NodeJS.Timeout | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private claiming = false;
  private claimAgain = false;
  /** Rows may be waiting that only a full claim finds. */
  private scan = true;
  /** Ids this process inserted, not yet claimed by id. */
  private inserted: string[] = [];
  private stopping = false;
  private leasesReleased = false;
  private changedSinceVacuum = 0;
  private vacuuming: Promise<void> | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly statements: OutboxStatements,
    private readonly options: ResolvedBusOptions,
  ) {
    this.leasesReleased = !options.releaseLeasesAtStart;
    this.acks = new SerialBatches(async (claims) => {
      await statements.run(deleteClaimed(claims));
      this.rowsChanged(claims.length);
    }, MAX_ACKS_PER_DELETE);
  }

  subscribe(topic: TopicName, handler: DeliveryHandler<unknown>): void {
    if (this.handlers.has(topic)) throw new Error(`topic ${topic} already has a subscriber`);
    this.handlers.set(topic, handler);
    this.poll ??= setInterval(() => this.scanSoon(), this.options.pollIntervalMs).unref();
    this.scanSoon();
  }

  topics(): TopicName[] {
    return [...this.handlers.keys()];
  }

  /** Rows were just committed by this process, with these ids (any topic). */
  published(ids: readonly string[]): void {
    if (this.handlers.size > 0 && !this.stopping) {
      this.inserted.push(...ids);
      this.kick();
    }
    this.rowsChanged(ids.length);
    this.changed();
  }

  /** Nothing claimed or being claimed here. */
  settledHere(): boolean {
    return !this.claiming && this.inFlight.size === 0;
  }

  nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Waits for `change`, or a poll interval at most (work published elsewhere changes nothing here). */
  async waitFor(change: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([change, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.pollIntervalMs)))]);
    clearTimeout(timer);
  }

  /** Claims nothing more; resolves once every running delivery is settled and written. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.poll);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    while (this.claiming || this.inFlight.size > 0) await this.nextChange();
    await this.acks.drained();
    await this.vacuuming;
  }

  private scanSoon(): void {
    this.scan = true;
    this.kick();
  }

  private kick(): void {
    if (this.stopping || this.handlers.size === 0) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = true;
    void this.claimWhileFree().finally(() => {
      this.claiming = false;
      this.changed();
      // Woken between the last claim and here: claim again.
      if (this.claimAgain) this.kick();
    });
  }

  private async claimWhileFree(): Promise<void> {
    try {
      if (!this.leasesReleased) {
        await this.statements.run(releaseAllLeases());
        this.leasesReleased = true;
      }
      do {
        this.claimAgain = false;
        await this.claimInserted();
        if (this.scan) await this.claimScanning();
      } while (this.claimAgain && !this.stopping);
    } catch (error) {
      this.report('claim', error);
    }
  }

  private free(): number {
    return this.stopping ? 0 : this.options.concurrency - this.inFlight.size;
  }

  private async claimInserted(): Promise<void> {
    while (this.inserted.length > 0) {
      const want = Math.min(this.free(), MAX_ROWS_PER_CLAIM);
      if (want <= 0) {
        // No slot: a full claim finds them once one frees.
        this.inserted = [];
        this.scan = true;
        return;
      }
      const ids = this.inserted.splice(0, MAX_IDS_PER_CLAIM);
      const rows = await this.statements.run<ClaimedRow>(claimInserted(ids, this.topics(), want, this.options.ackDeadlineMs));
      for (const row of rows.sort(byId)) this.deliver(row);
      if (rows.length === want) this.scan = true;
    }
  }

  private async claimScanning(): Promise<void> {
    this.scan = false;
    for (;;) {
      const want = Math.min(this.free(), MAX_ROWS_PER_CLAIM);
      if (want <= 0) {
        this.scan = true;
        return;
      }
      const rows = await this.statements.run<ClaimedRow>(claimRows(this.topics(), want, this.options.ackDeadlineMs));
      for (const row of rows.sort(byId)) this.deliver(row);
      if (rows.length < want) return;
    }
  }

  private deliver(row: ClaimedRow): void {
    const claim = { id: row.id, attempts: row.attempts };
    this.inFlight.set(claim.id, claim);
    this.renewal ??= setInterval(() => this.renewLeases(), Math.max(10, this.options.ackDeadlineMs / 3)).unref();
    void this.settle(row, claim).finally(() => {
      this.inFlight.delete(claim.id);
      if (this.inFlight.size === 0) {
        clearInterval(this.renewal);
        this.renewal = undefined;
      }
      this.changed();
      this.kick();
    });
  }

  /** Delivers one claimed row and writes its outcome; never rejects. */
  private async settle(row: ClaimedRow, claim: ClaimRef): Promise<void> {
    const { maxDeliveryAttempts } = this.options;
    try {
      const delivery = deliveryOf(row);
      if (row.attempts > maxDeliveryAttempts) {
        // Its last attempt never settled (its process died): Pub/Sub would forward it now.
        const lost = new Error('the last delivery attempt ended without an ack or a nack');
        return await this.deadLetter(row.topic, { ...delivery, deliveryAttempt: row.attempts - 1 }, lost, claim);
      }
      const handler = this.handlers.get(row.topic)!;
      try {
        await runWithTrace(traceFrom((name) => delivery.attributes[name]), () => handler(delivery));
      } catch (error) {
        this.callback('nack callback', () => this.options.onNack?.(row.topic, delivery, error));
        if (row.attempts >= maxDeliveryAttempts) return await this.deadLetter(row.topic, delivery, error, claim);
        return await this.nack(claim, row.attempts);
      }
      await this.ack(row, claim);
    } catch (error) {
      this.report('settlement', error);
    }
  }

  /** A key's head: deleted, and the key's next row claimed and delivered, in one statement. */
  private async ack(row: ClaimedRow, claim: ClaimRef): Promise<void> {
    if (row.ordering_key === null || this.stopping) return this.acks.add([claim]);
    const next = await this.statements.run<ClaimedRow>(ackAndClaimNext(claim, this.options.ackDeadlineMs));
    this.rowsChanged(1);
    for (const nextRow of next) this.deliver(nextRow);
  }

  private async nack(claim: ClaimRef, attempt: number): Promise<void> {
    const { redeliveryDelayMs, maxRedeliveryDelayMs } = this.options;
    const delay = Math.min(redeliveryDelayMs * 2 ** (attempt - 1), maxRedeliveryDelayMs);
    await this.statements.run(releaseClaim(claim, delay));
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.scanSoon();
    }, delay + 1).unref();
    this.timers.add(timer);
  }

  private async deadLetter(topic: TopicName, delivery: Delivery<unknown>, error: unknown, claim: ClaimRef): Promise<void> {
    try {
      await this.options.onDeadLetter?.(topic, delivery, error);
    } catch (failure) {
      this.report('dead-letter callback', failure);
    }
    // The key's next row, if any, is found by the full claim.
    this.scan = true;
    await this.acks.add([claim]);
  }

  private rowsChanged(count: number): void {
    this.changedSinceVacuum += count;
    if (this.vacuuming || this.stopping || this.changedSinceVacuum < VACUUM_AFTER_CHANGES) return;
    this.changedSinceVacuum = 0;
    this.vacuuming = this.statements
      .run(vacuumOutbox())
      .then(
        () => undefined,
        (error: unknown) => this.report('vacuum', error),
      )
      .finally(() => (this.vacuuming = undefined));
  }

  private renewLeases(): void {
    const claims = [...this.inFlight.values()];
    if (claims.length === 0) return;
    this.statements.run(extendLeases(claims, this.options.ackDeadlineMs)).catch((error: unknown) => this.report('lease renewal', error));
  }

  private callback(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.report(what, error);
    }
  }

  private report(operation: string, error: unknown): void {
    this.options.onError?.(operation, outboxError(operation, error));
  }

  private changed(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function deliveryOf(row: ClaimedRow): Delivery<unknown> {
  return {
    messageId: row.id,
    event: JSON.parse(row.payload) as unknown,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    ...(row.ordering_key !== null ? { orderingKey: row.ordering_key } : {}),
    deliveryAttempt: row.attempts,
  };
}

// Ids are bigints as text: the shorter is the smaller.
const byId = (a: ClaimedRow, b: ClaimedRow): number => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
