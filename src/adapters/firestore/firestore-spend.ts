import { FieldValue, type DocumentReference, type Timestamp } from '@google-cloud/firestore';
import type { SpendReservation } from '../../domain/ports/chat-store.js';
import { ChatStoreUnavailableError, grpcCodeOf, translateError } from './chat-store-unavailable-error.js';

const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;
/** Every racing reservation that wins a round lets at least one other through: this covers dozens at once. */
const MAX_RESERVE_ATTEMPTS = 25;

type Held = Record<string, { usd: number; until: number }>;

/**
 * The channel's spend of one day is one document `{usd, reservations: {key: {usd, until}}}`.
 * A reservation is a compare-and-set on the document's update time (create when it is new), so
 * two generations racing for the last share of the cap cannot both get it; expired reservations
 * are dropped in the same write. No transaction locks: a lost race costs one more round trip.
 */
export async function reserveSpendIn(ref: DocumentReference, reservation: SpendReservation, capUsd: number, now: number, expireAt: Timestamp): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
    let snapshot;
    try {
      snapshot = await ref.get();
    } catch (error) {
      translateError('reserveSpend', error);
    }
    const held = Object.entries((snapshot.get('reservations') ?? {}) as Held).filter(([key, share]) => share.until > now && key !== reservation.key);
    const committed = Number(snapshot.get('usd') ?? 0) + held.reduce((sum, [, share]) => sum + share.usd, 0);
    if (committed >= capUsd || committed + reservation.usd > capUsd) return false;
    const reservations: Held = { ...Object.fromEntries(held), [reservation.key]: { usd: reservation.usd, until: reservation.until } };
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
export async function settleSpendIn(ref: DocumentReference, key: string, usd: number, expireAt: Timestamp): Promise<void> {
  try {
    // Nested under `reservations` as an object, the key is never parsed as a field path.
    await ref.set({ usd: FieldValue.increment(usd), reservations: { [key]: FieldValue.delete() }, expireAt }, { merge: true });
  } catch (error) {
    translateError('settleSpend', error);
  }
}
