import { describe, expect, it } from 'vitest';
import { delayAfter, reserve, THROTTLE_DECAY_MS, type ThrottlePolicy, type ThrottleState } from '../../../src/domain/model/login-throttle.js';

const POLICY: ThrottlePolicy = { freeAttempts: 2, baseDelayMs: 1_000, maxDelayMs: 10_000 };

describe('delayAfter', () => {
  it('costs nothing within the free attempts, then doubles from the base up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 50, 5000].map((failures) => delayAfter(failures, POLICY))).toEqual([0, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });
});

describe('reserve', () => {
  it('counts a failure for every subject in advance when none is waiting', () => {
    const states = new Map<string, ThrottleState>([['a', { failures: 1, blockedUntil: 0, updatedAt: 0 }]]);

    const { reservation, next } = reserve([{ subject: 'a', policy: POLICY }, { subject: 'b', policy: POLICY }], states, 10);

    expect(reservation).toEqual({ granted: true });
    expect(Object.fromEntries(next)).toEqual({ a: { failures: 2, blockedUntil: 1_010, updatedAt: 10 }, b: { failures: 1, blockedUntil: 10, updatedAt: 10 } });
  });

  it('changes nothing and answers the longest wait when a subject is waiting', () => {
    const states = new Map<string, ThrottleState>([
      ['a', { failures: 3, blockedUntil: 500, updatedAt: 0 }],
      ['b', { failures: 4, blockedUntil: 900, updatedAt: 0 }],
    ]);

    expect(reserve([{ subject: 'a', policy: POLICY }, { subject: 'b', policy: POLICY }, { subject: 'c', policy: POLICY }], states, 100)).toEqual({
      reservation: { granted: false, retryAfterMs: 800 },
      next: new Map(),
    });
  });

  it('starts over for a subject that stayed quiet for the decay time', () => {
    const states = new Map<string, ThrottleState>([['a', { failures: 9, blockedUntil: 0, updatedAt: 0 }]]);

    expect(reserve([{ subject: 'a', policy: POLICY }], states, THROTTLE_DECAY_MS).next.get('a')?.failures).toBe(1);
  });
});
