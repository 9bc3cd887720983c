import type { ActiveSession, AdminCredentials, AdminSession, AdminUser, NewAdminUser } from '../model/admin.js';
import type { LoginReservation, ThrottleKey } from '../model/login-throttle.js';

/** How long the throttle state of a quiet subject is kept: far longer than any delay. */
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

  /** Replaces the user's password hash; false when there is no such user. */
  setPasswordHash(userId: string, passwordHash: string): Promise<boolean>;

  /**
   * Reserves one sign-in attempt against every subject, atomically, before the password is
   * checked (see `reserve` in login-throttle): refused with the longest wait when any subject is
   * still delayed, else each subject's failure is counted in advance. Subjects quiet for
   * `LOGIN_ATTEMPT_RETENTION_MS` are forgotten on the way, so the record stays small.
   */
  reserveLoginAttempt(keys: readonly ThrottleKey[], now: number): Promise<LoginReservation>;

  /** A reserved attempt succeeded: the subjects' counted failures are forgotten. */
  clearLoginFailures(subjects: readonly string[]): Promise<void>;
}
