import { DomainError } from '../model/errors.js';
import type { Clock } from '../ports/clock.js';

/** Kept back from a lease for the store writes around the timed steps, unless the policy says otherwise. */
export const DEFAULT_LEASE_MARGIN_MS = 5_000;

/** The lease's time ran out before a step could start: another delivery may take the message over. */
export class LeaseExhaustedError extends DomainError {
  constructor(messageId: string) {
    super('lease_exhausted', `the lease on message ${messageId} has no time left for the next step`, true);
  }
}

/**
 * What remains of a delivery's lease for the steps of one generation. Every step starts from the
 * same deadline (the lease's end less a margin), so waits, transcription and model call together
 * can never outlive the lease and let a redelivery start a second generation beside this one.
 */
export class LeaseBudget {
  readonly deadline: number;

  constructor(
    private readonly clock: Clock,
    private readonly messageId: string,
    leaseUntil: number,
    marginMs: number | undefined,
  ) {
    this.deadline = leaseUntil - (marginMs ?? DEFAULT_LEASE_MARGIN_MS);
  }

  /** Milliseconds left for the next step; rejects when nothing is left. */
  remainingMs(): number {
    const left = this.deadline - this.clock.now();
    if (left <= 0) throw new LeaseExhaustedError(this.messageId);
    return left;
  }
}
