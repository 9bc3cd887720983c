import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdminEmailTakenError } from '../../src/domain/model/admin.js';
import type { AdminSessions } from '../../src/domain/ports/admin-sessions.js';
import type { AdminUsers } from '../../src/domain/ports/admin-users.js';
import { adminBuilders, freshDirectory, IDLE, MINUTE, T0, type MakeAdminDirectory } from './admin-directory.fixture.js';

/** The shared cases every AdminUsers implementation must pass. */
export function adminUsersContract(name: string, make: MakeAdminDirectory): void {
  describe(`${name} as AdminUsers`, () => {
    const current = freshDirectory(make);
    let directory: AdminUsers & AdminSessions;
    beforeEach(() => {
      directory = current();
    });
    // Deleting a user ends its sessions: those cases look through AdminSessions too.
    const { anEmail, aUser, aSession } = adminBuilders(current);

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

    it('replaces the password hash of a user, and answers false for an unknown id', async () => {
      const user = await aUser();

      expect(await directory.setPasswordHash(user.id, '$argon2id$new')).toBe(true);

      expect((await directory.findByEmail(user.email))?.passwordHash).toBe('$argon2id$new');
      expect(await directory.setPasswordHash(randomUUID(), '$argon2id$other')).toBe(false);
    });
  });
}
