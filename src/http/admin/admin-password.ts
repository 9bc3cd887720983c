import type { AdminSessions } from '../../domain/ports/admin-sessions.js';
import type { AdminUsers } from '../../domain/ports/admin-users.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

export type PasswordChange = 'changed' | 'rehashed' | 'unchanged' | 'no-such-user';

/**
 * Makes `password` the user's password (ADMIN_PASSWORD at start, `admin set-password`). A real
 * change ends every session of the user: a rotation after a leak must lock the thief out too.
 * The same password is left alone (each instance's start would otherwise end every session).
 */
export async function setAdminPassword(directory: AdminUsers & Pick<AdminSessions, 'deleteSessionsOf'>, email: string, password: string): Promise<PasswordChange> {
  const user = await directory.findByEmail(email);
  if (!user) return 'no-such-user';
  const same = await verifyPassword(password, user.passwordHash);
  if (same && !needsRehash(user.passwordHash)) return 'unchanged';
  await directory.setPasswordHash(user.id, await hashPassword(password));
  if (same) return 'rehashed';
  await directory.deleteSessionsOf(user.id);
  return 'changed';
}
