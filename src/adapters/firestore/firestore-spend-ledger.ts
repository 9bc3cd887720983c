import { FieldValue, type DocumentReference, type DocumentSnapshot, type WriteBatch } from '@google-cloud/firestore';
import type { SpendLedger, SpendReservation, SpendSettlement } from '../../domain/ports/spend-ledger.js';
import { ChatStoreUnavailableError, grpcCodeOf, translateError } from './chat-store-unavailable-error.js';
import type { ChatCollections } from './firestore-collections.js';
import { encodeDocId } from './firestore-documents.js';
import { decode, spendSchema } from './firestore-schemas.js';

const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;
/** Every racing reservation that wins a round lets at least one other through: this covers dozens at once. */
const MAX_RESERVE_ATTEMPTS = 25;

/**
 * The channel's spend of one day is one document `channels/{accountId}/spend/{day}`:
 * `{usd, reservations: {key: {usd, until}}}`. A reservation is a compare-and-set on the document's
 * update time (create when it is new), so two generations racing for the last share of the cap
 * cannot both get it; expired reservations are dropped in the same write. No transaction locks:
 * a lost race costs one more round trip.
 */
export class FirestoreSpendLedger implements SpendLedger {
  constructor(private readonly collections: ChatCollections) {}

  async reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean> {
    const ref = this.spendRef(accountId, day);
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      const snapshot = await this.collections.read('reserveSpend', ref);
      const stored = spentFrom(snapshot);
      const held = Object.entries(stored.reservations).filter(([key, share]) => share.until > now && key !== reservation.key);
      const committed = stored.usd + held.reduce((sum, [, share]) => sum + share.usd, 0);
      if (committed >= capUsd || committed + reservation.usd > capUsd) return false;
      const reservations = { ...Object.fromEntries(held), [reservation.key]: { usd: reservation.usd, until: reservation.until } };
      const expireAt = this.collections.expireAt();
      try {
        if (snapshot.exists) await ref.update({ reservations, expireAt }, { lastUpdateTime: snapshot.updateTime! });
        else await ref.create({ usd: 0, reservations, expireAt });
        return true;
      } catch (error) {
        // Another writer came first (or the SDK retried our own lost commit): read again, decide again.
        const code = grpcCodeOf(error);
        if (code !== FAILED_PRECONDITION && code !== ALREADY_EXISTS) translateError('reserveSpend', error);
      }
    }
    throw new ChatStoreUnavailableError(`spend reservation lost ${MAX_RESERVE_ATTEMPTS} races in a row`);
  }

  /** Drops the reservation and adds what was really spent in one write (server-side increment, no read). */
  async settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void> {
    try {
      const batch = this.collections.db.batch();
      addSettlement(this.collections, batch, { accountId, day, key, usd });
      await batch.commit();
    } catch (error) {
      translateError('settleSpend', error);
    }
  }

  async spendOf(accountId: string, day: string): Promise<number> {
    return spentFrom(await this.collections.read('spendOf', this.spendRef(accountId, day))).usd;
  }

  private spendRef(accountId: string, day: string): DocumentReference {
    return spendRefOf(this.collections, accountId, day);
  }
}

const spendRefOf = (collections: ChatCollections, accountId: string, day: string): DocumentReference =>
  collections.channels.doc(encodeDocId(accountId)).collection('spend').doc(encodeDocId(day));

/**
 * Adds `settlement` to `batch`: the reservation dropped and the cost added, by a server-side
 * increment (no read). In a message transition's batch it commits with the transition or not at
 * all, and a retried commit fails the transition's precondition, so it never counts twice.
 */
export function addSettlement(collections: ChatCollections, batch: WriteBatch, { accountId, day, key, usd }: SpendSettlement): void {
  // Nested under `reservations` as an object, the key is never parsed as a field path.
  const update = { usd: FieldValue.increment(usd), reservations: { [key]: FieldValue.delete() }, expireAt: collections.expireAt() };
  batch.set(spendRefOf(collections, accountId, day), update, { merge: true });
}

/** The day's spend document, or nothing spent or held when the day has none yet. */
function spentFrom(snapshot: DocumentSnapshot): { usd: number; reservations: Record<string, { usd: number; until: number }> } {
  return snapshot.exists ? decode(spendSchema, snapshot) : { usd: 0, reservations: {} };
}
