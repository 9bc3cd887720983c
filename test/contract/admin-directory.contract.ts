import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdminEmailTakenError, type AdminSession } from '../../src/domain/model/admin.js';
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

    it('counts the failed attempts of a subject since a time', async () => {
      const [subject, other] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
      await directory.recordLoginAttempt(subject, false, T0 - 20 * MINUTE);
      await directory.recordLoginAttempt(subject, false, T0 - 10 * MINUTE);
      await directory.recordLoginAttempt(subject, true, T0 - 5 * MINUTE);
      await directory.recordLoginAttempt(subject, false, T0);
      await directory.recordLoginAttempt(other, false, T0);
      expect(await directory.countFailedAttempts(subject, T0 - 15 * MINUTE)).toBe(2);
      expect(await directory.countFailedAttempts(subject, T0 - 10 * MINUTE)).toBe(2);
      expect(await directory.countFailedAttempts(subject, T0 - 30 * MINUTE)).toBe(3);
      expect(await directory.countFailedAttempts(randomBytes(32).toString('hex'), 0)).toBe(0);
    });

    it('forgets attempts older than the retention when a later attempt is recorded', async () => {
      const [old, recent] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
      const later = T0 + 10 * LOGIN_ATTEMPT_RETENTION_MS;
      await directory.recordLoginAttempt(old, false, later - LOGIN_ATTEMPT_RETENTION_MS - 1);
      await directory.recordLoginAttempt(recent, false, later - LOGIN_ATTEMPT_RETENTION_MS);
      expect(await directory.countFailedAttempts(old, 0)).toBe(1);

      await directory.recordLoginAttempt(randomBytes(32).toString('hex'), true, later);

      expect(await directory.countFailedAttempts(old, 0)).toBe(0);
      expect(await directory.countFailedAttempts(recent, 0)).toBe(1);
    });
  });
}
