import type { AdminCredentials, AdminUser, NewAdminUser } from '../model/admin.js';

/** The admin dashboard's users. E-mail addresses are compared lower-cased. */
export interface AdminUsers {
  /** Creates a user; throws `AdminEmailTakenError` when the (normalised) e-mail exists. */
  createUser(user: NewAdminUser, now: number): Promise<AdminUser>;

  /** The user with this e-mail (any case) and its password hash, or null. */
  findByEmail(email: string): Promise<AdminCredentials | null>;

  /** Every user, ordered by e-mail. */
  listUsers(): Promise<AdminUser[]>;

  /** Deletes the user and all of its sessions; false when there is no such user. */
  deleteUser(id: string): Promise<boolean>;

  /** Notes a successful sign-in. */
  recordLogin(userId: string, now: number): Promise<void>;

  /** Replaces the user's password hash; false when there is no such user. */
  setPasswordHash(userId: string, passwordHash: string): Promise<boolean>;
}
