import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdminEmailTakenError, type AdminSession } from '../../src/domain/model/admin.js';
import { THROTTLE_DECAY_MS, type ThrottleKey, type ThrottlePolicy } from '../../src/domain/model/login-throttle.js';
import { LOGIN_ATTEMPT_RETENTION_MS, type AdminDirectory } from '../../src/domain/ports/admin-directory.js';

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

/** The shared cases every AdminDirectory implementation must pass; each test makes its own e-mails. */
export function adminDirectoryContract(name: string, make: () => Promise<AdminDirectory>): void {
  describe(name, () => {
    let directory: AdminDirectory;
    beforeEach(async () => {
      directory = await make();
    });

    const anEmail = () => `admin-${randomUUID()}@example.org`;
    const aUser = (email = anEmail()) => directory.createUser({ email, passwordHash: `scrypt$test$${randomUUID()}` }, T0);
    const aSession = (userId: string, overrides: Partial<AdminSession> = {}): AdminSession => ({
      tokenHash: randomBytes(32).toString('hex'),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 12 * 60 * MINUTE,
      ...overrides,
    });

    it('creates a user and finds it by e-mail in any case, with its password hash', async () => {
      const email = anEmail();
      const created = await directory.createUser({ email: `  ${email.toUpperCase()} `, passwordHash: 'scrypt$hash' }, T0);
      expect(created).toEqual({ id: expect.any(String), email, createdAt: T0, lastLoginAt: null });
      expect(await directory.findByEmail(email.toUpperCase())).toEqual({ ...created, passwordHash: 'scrypt$hash' });
      expect(await directory.findByEmail(anEmail())).toBeNull();
    });

    it('refuses a second user with the same e-mail in another case', async () => {
      const email = anEmail();
      await aUser(email);
      await expect(directory.createUser({ email: email.toUpperCase(), passwordHash: 'x' }, T0)).rejects.toBeInstanceOf(AdminEmailTakenError);
      expect((await directory.listUsers()).filter((u) => u.email === email)).toHaveLength(1);
    });

    it('lists users ordered by e-mail without their password hashes', async () => {
      const [b, a] = [await aUser(`b-${anEmail()}`), await aUser(`a-${anEmail()}`)];
      const listed = (await directory.listUsers()).filter((u) => u.id === a.id || u.id === b.id);
      expect(listed).toEqual([a, b]);
      expect(JSON.stringify(listed)).not.toContain('scrypt');
    });

    it('records the time of a successful sign-in', async () => {
      const user = await aUser();
      await directory.recordLogin(user.id, T0 + MINUTE);
      expect((await directory.findByEmail(user.email))?.lastLoginAt).toBe(T0 + MINUTE);
    });

    it('deletes a user with all of its sessions, and answers false for an unknown id', async () => {
      const user = await aUser();
      const session = aSession(user.id);
      await directory.createSession(session);
      expect(await directory.deleteUser(user.id)).toBe(true);
      expect(await directory.findByEmail(user.email)).toBeNull();
      expect(await directory.touchSession(session.tokenHash, T0, IDLE)).toBeNull();
      expect(await directory.deleteUser(user.id)).toBe(false);
      expect(await directory.deleteUser('not-a-uuid')).toBe(false);
    });

    it('finds a live session with its user and moves its last-seen time', async () => {
      const user = await aUser();
      const session = aSession(user.id);
      await directory.createSession(session);
      const active = await directory.touchSession(session.tokenHash, T0 + 10 * MINUTE, IDLE);
      expect(active).toEqual({ session: { ...session, lastSeenAt: T0 + 10 * MINUTE }, user });
      // Activity keeps it alive past one idle period from its creation.
      expect(await directory.touchSession(session.tokenHash, T0 + 35 * MINUTE, IDLE)).not.toBeNull();
    });

    it('ends a session idle for the timeout, for good', async () => {
      const user = await aUser();
      const session = aSession(user.id);
      await directory.createSession(session);
      expect(await directory.touchSession(session.tokenHash, T0 + IDLE, IDLE)).toBeNull();
      expect(await directory.touchSession(session.tokenHash, T0 + MINUTE, IDLE)).toBeNull();
    });

    it('ends a session at its absolute expiry even when it is active', async () => {
      const user = await aUser();
      const session = aSession(user.id, { expiresAt: T0 + 20 * MINUTE });
      await directory.createSession(session);
      expect(await directory.touchSession(session.tokenHash, T0 + 15 * MINUTE, IDLE)).not.toBeNull();
      expect(await directory.touchSession(session.tokenHash, T0 + 20 * MINUTE, IDLE)).toBeNull();
    });

    it('finds nothing for an unknown token hash', async () => {
      expect(await directory.touchSession(randomBytes(32).toString('hex'), T0, IDLE)).toBeNull();
    });

    it('deletes one session, or every session of a user', async () => {
      const [user, other] = [await aUser(), await aUser()];
      const [s1, s2, s3, kept] = [aSession(user.id), aSession(user.id), aSession(user.id), aSession(other.id)];
      for (const s of [s1, s2, s3, kept]) await directory.createSession(s);
      await directory.deleteSession(s1.tokenHash);
      await directory.deleteSession(s1.tokenHash);
      expect(await directory.touchSession(s1.tokenHash, T0, IDLE)).toBeNull();
      expect(await directory.deleteSessionsOf(user.id)).toBe(2);
      expect(await directory.touchSession(s2.tokenHash, T0, IDLE)).toBeNull();
      expect(await directory.touchSession(kept.tokenHash, T0, IDLE)).not.toBeNull();
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

    it('replaces the password hash of a user, and answers false for an unknown id', async () => {
      const user = await aUser();

      expect(await directory.setPasswordHash(user.id, '$argon2id$new')).toBe(true);

      expect((await directory.findByEmail(user.email))?.passwordHash).toBe('$argon2id$new');
      expect(await directory.setPasswordHash(randomUUID(), '$argon2id$other')).toBe(false);
    });
  });
}
