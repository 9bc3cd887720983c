import type { LoginReservation, ThrottleKey } from '../model/login-throttle.js';

/** How long the throttle state of a quiet subject is kept: far longer than any delay. */
export const LOGIN_ATTEMPT_RETENTION_MS = 24 * 3600 * 1000;

/** The sign-in attempts that rate-limit the dashboard's login; attempt subjects are opaque hashes. */
export interface LoginAttempts {
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
