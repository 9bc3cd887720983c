import { beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { AdminSessions } from '../../src/domain/ports/admin-sessions.js';
import { adminBuilders, freshDirectory, IDLE, MINUTE, T0, type MakeAdminDirectory } from './admin-directory.fixture.js';

/** The shared cases every AdminSessions implementation must pass. */
export function adminSessionsContract(name: string, make: MakeAdminDirectory): void {
  describe(`${name} as AdminSessions`, () => {
    const current = freshDirectory(make);
    let directory: AdminSessions;
    beforeEach(() => {
      directory = current();
    });
    // A session belongs to a user: each case creates its users through AdminUsers.
    const { aUser, aSession } = adminBuilders(current);

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
  });
}
