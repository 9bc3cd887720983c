/** A share of a channel's daily spend held for one generation until its real cost is known. */
export interface SpendReservation {
  /** One per generation (the message id): reserving again under it replaces the reservation. */
  key: string;
  usd: number;
  /** After this (epoch ms) the reservation no longer counts: its holder died or overran its lease. */
  until: number;
}

/**
 * A generation's real cost replacing its reservation `key` on the channel's `day` (see
 * `settleSpend`), written together with the message transition that stores the reply.
 */
export interface SpendSettlement {
  accountId: string;
  day: string;
  key: string;
  usd: number;
}

/**
 * What each channel spent on the model per UTC day (`YYYY-MM-DD`), with reservations held by
 * generations in flight, so concurrent generations cannot together overrun a daily cap.
 */
export interface SpendLedger {
  /**
   * Atomically adds `reservation` to the channel's spend on `day` only when what was spent plus
   * every live reservation (`until` after `now`) plus it stays within `capUsd` (and below it
   * before it): true when reserved, false when it does not fit.
   */
  reserveSpend(accountId: string, day: string, reservation: SpendReservation, capUsd: number, now: number): Promise<boolean>;

  /**
   * Atomically replaces the reservation `key` of `day` (if there is one) by `usd` actually spent:
   * 0 releases it. Without a reservation it just adds `usd`.
   */
  settleSpend(accountId: string, day: string, key: string, usd: number): Promise<void>;

  /** What the channel spent on `day` so far (0 when nothing), reservations not included. */
  spendOf(accountId: string, day: string): Promise<number>;
}
