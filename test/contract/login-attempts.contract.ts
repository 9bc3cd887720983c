import { beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { THROTTLE_DECAY_MS, type ThrottleKey, type ThrottlePolicy } from '../../src/domain/model/login-throttle.js';
import { LOGIN_ATTEMPT_RETENTION_MS, type LoginAttempts } from '../../src/domain/ports/login-attempts.js';
import { freshDirectory, T0, type MakeAdminDirectory } from './admin-directory.fixture.js';

/** The shared cases every LoginAttempts implementation must pass: the sign-in throttle. */
export function loginAttemptsContract(name: string, make: MakeAdminDirectory): void {
  describe(`${name} as LoginAttempts`, () => {
    const current = freshDirectory(make);
    let directory: LoginAttempts;
    beforeEach(() => {
      directory = current();
    });
    const POLICY: ThrottlePolicy = { freeAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 8_000 };
    const aSubject = () => randomBytes(32).toString('hex');
    const key = (subject: string, policy = POLICY): ThrottleKey => ({ subject, policy });

    it('grants only the free attempts of a burst of 20 parallel reservations and refuses the rest with the wait', async () => {
      const subject = aSubject();

      const reservations = await Promise.all(Array.from({ length: 20 }, () => directory.reserveLoginAttempt([key(subject)], T0)));

      expect(reservations.filter((r) => r.granted)).toHaveLength(POLICY.freeAttempts);
      expect(reservations.filter((r) => !r.granted)).toEqual(Array(20 - POLICY.freeAttempts).fill({ granted: false, retryAfterMs: 1_000 }));
    });

    it('grants again once the wait is over, with a wait that doubles per failure up to the maximum', async () => {
      const subject = aSubject();
      let now = T0;
      const waits: number[] = [];
      for (let i = 0; i < 3; i++) expect(await directory.reserveLoginAttempt([key(subject)], now)).toEqual({ granted: true });
      for (let i = 0; i < 5; i++) {
        const refused = await directory.reserveLoginAttempt([key(subject)], now);
        if (refused.granted) throw new Error('a delayed subject was granted');
        waits.push(refused.retryAfterMs);
        now += refused.retryAfterMs;
        expect(await directory.reserveLoginAttempt([key(subject)], now)).toEqual({ granted: true });
      }
      expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    });

    it('changes no subject when one of them is delayed, and answers the longest wait', async () => {
      const [delayed, fresh] = [aSubject(), aSubject()];
      for (let i = 0; i < 3; i++) await directory.reserveLoginAttempt([key(delayed)], T0);

      expect(await directory.reserveLoginAttempt([key(fresh), key(delayed)], T0 + 200)).toEqual({ granted: false, retryAfterMs: 800 });

      // `fresh` was not charged by the refused reservation: it still has all its free attempts.
      for (let i = 0; i < 3; i++) expect(await directory.reserveLoginAttempt([key(fresh)], T0 + 200)).toEqual({ granted: true });
      expect((await directory.reserveLoginAttempt([key(fresh)], T0 + 200)).granted).toBe(false);
    });

    it('forgets the counted failures of cleared subjects only', async () => {
      const [cleared, kept] = [aSubject(), aSubject()];
      for (let i = 0; i < 2; i++) await directory.reserveLoginAttempt([key(cleared), key(kept)], T0);

      await directory.clearLoginFailures([cleared]);

      for (let i = 0; i < 3; i++) expect(await directory.reserveLoginAttempt([key(cleared)], T0)).toEqual({ granted: true });
      expect(await directory.reserveLoginAttempt([key(kept)], T0)).toEqual({ granted: true });
      expect((await directory.reserveLoginAttempt([key(kept)], T0)).granted).toBe(false);
    });

    it('forgives the failures of a subject that stayed quiet for the decay time', async () => {
      const subject = aSubject();
      for (let i = 0; i < 3; i++) await directory.reserveLoginAttempt([key(subject)], T0);

      const later = T0 + THROTTLE_DECAY_MS;
      for (let i = 0; i < 3; i++) expect(await directory.reserveLoginAttempt([key(subject)], later)).toEqual({ granted: true });
      expect((await directory.reserveLoginAttempt([key(subject)], later)).granted).toBe(false);
    });

    it('forgets subjects quiet for longer than the retention when a later attempt is reserved', async () => {
      const old = aSubject();
      const slow: ThrottlePolicy = { freeAttempts: 1, baseDelayMs: 2 * LOGIN_ATTEMPT_RETENTION_MS, maxDelayMs: 2 * LOGIN_ATTEMPT_RETENTION_MS };
      await directory.reserveLoginAttempt([key(old, slow)], T0);
      expect((await directory.reserveLoginAttempt([key(old, slow)], T0 + LOGIN_ATTEMPT_RETENTION_MS)).granted).toBe(false);

      await directory.reserveLoginAttempt([key(aSubject())], T0 + LOGIN_ATTEMPT_RETENTION_MS + 1);

      expect(await directory.reserveLoginAttempt([key(old, slow)], T0 + LOGIN_ATTEMPT_RETENTION_MS + 2)).toEqual({ granted: true });
    });
  });
}
