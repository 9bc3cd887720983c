/**
 * How sign-in attempts against one subject (an account, a client address, or the pair) are slowed
 * down: the first `freeAttempts` failures cost nothing, then each failure doubles the wait before
 * the next attempt, from `baseDelayMs` up to `maxDelayMs`. Never a lockout: the wait always ends.
 */
export interface ThrottlePolicy {
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A subject (an opaque hash, never an e-mail or address) and the policy it is limited by. */
export interface ThrottleKey {
  subject: string;
  policy: ThrottlePolicy;
}

export type LoginReservation = { granted: true } | { granted: false; retryAfterMs: number };

/** Failures of a subject that stays quiet this long are forgiven (typos do not add up over days). */
export const THROTTLE_DECAY_MS = 3600_000;

/** The wait after the `failures`-th failure of a subject. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeAttempts) return 0;
  const doublings = Math.min(failures - policy.freeAttempts, 40);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** doublings);
}

/** A subject's state as a directory keeps it. */
export interface ThrottleState {
  failures: number;
  blockedUntil: number;
  updatedAt: number;
}

/**
 * The decision of one reservation over the current states (missing = never seen): refused when any
 * subject is still waiting, else granted with every subject's failure counted in advance (so
 * parallel attempts cannot all pass before the first failure is recorded). Pure, so every
 * directory applies the same rule inside its own atomic step.
 */
export function reserve(keys: readonly ThrottleKey[], states: ReadonlyMap<string, ThrottleState>, now: number): { reservation: LoginReservation; next: Map<string, ThrottleState> } {
  const waits = keys.map(({ subject }) => (states.get(subject)?.blockedUntil ?? 0) - now).filter((wait) => wait > 0);
  if (waits.length > 0) return { reservation: { granted: false, retryAfterMs: Math.max(...waits) }, next: new Map() };
  const next = new Map<string, ThrottleState>();
  for (const { subject, policy } of keys) {
    const state = states.get(subject);
    const previous = state && now - state.updatedAt < THROTTLE_DECAY_MS ? state.failures : 0;
    const failures = previous + 1;
    next.set(subject, { failures, blockedUntil: now + delayAfter(failures, policy), updatedAt: now });
  }
  return { reservation: { granted: true }, next };
}
