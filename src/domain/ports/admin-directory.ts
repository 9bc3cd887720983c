import type { ActiveSession, AdminCredentials, AdminSession, AdminUser, NewAdminUser } from '../model/admin.js';

/** How long sign-in attempts are kept: far longer than any rate-limit window. */
export const LOGIN_ATTEMPT_RETENTION_MS = 24 * 3600 * 1000;

/**
 * The admin dashboard's users, their sessions and the login attempts that rate-limit sign-in.
 * E-mail addresses are compared lower-cased; sessions are found by the SHA-256 of their token, so
 * reading the directory never yields a usable session; attempt subjects are opaque hashes.
 */
export interface AdminDirectory {
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

  /** Stores a new session (its token hash is unique). */
  createSession(session: AdminSession): Promise<void>;

  /**
   * The live session with this token hash and its user, its `lastSeenAt` moved to `now`; null
   * when there is none, or when it is past `expiresAt` or idle for `idleTimeoutMs` or longer (an
   * expired session is deleted then).
   */
  touchSession(tokenHash: string, now: number, idleTimeoutMs: number): Promise<ActiveSession | null>;

  /** Ends one session (no error when it does not exist). */
  deleteSession(tokenHash: string): Promise<void>;

  /** Ends every session of the user; answers how many ended. */
  deleteSessionsOf(userId: string): Promise<number>;

  /** Records a sign-in attempt for an opaque subject (a hash of an e-mail or a client address). */
  /** Attempts older than `LOGIN_ATTEMPT_RETENTION_MS` before `now` are forgotten on the way, so the record stays small. */
  recordLoginAttempt(subject: string, succeeded: boolean, now: number): Promise<void>;

  /** Failed attempts of the subject at or after `since`. */
  countFailedAttempts(subject: string, since: number): Promise<number>;
}
