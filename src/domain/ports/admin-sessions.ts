import type { ActiveSession, AdminSession } from '../model/admin.js';

/**
 * Signed-in admin sessions, found by the SHA-256 of their token, so reading them never yields a
 * usable session.
 */
export interface AdminSessions {
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
}
