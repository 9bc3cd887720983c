import type { AdminSessions } from './admin-sessions.js';
import type { AdminUsers } from './admin-users.js';
import type { LoginAttempts } from './login-attempts.js';

export { LOGIN_ATTEMPT_RETENTION_MS } from './login-attempts.js';

/**
 * The admin dashboard's users, their sessions and the login attempts that rate-limit sign-in, in
 * one object: what an adapter (PostgreSQL, in memory) implements and the composition binds once.
 * Code that needs only part of it asks for `AdminUsers`, `AdminSessions` or `LoginAttempts`.
 */
export type AdminDirectory = AdminUsers & AdminSessions & LoginAttempts;
