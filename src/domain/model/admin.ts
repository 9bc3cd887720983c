import { DomainError } from './errors.js';

/** A person who may use the admin dashboard. */
export interface AdminUser {
  id: string;
  /** Lower-cased and trimmed (see `normalizeEmail`). */
  email: string;
  createdAt: number;
  lastLoginAt: number | null;
}

/** A user with the stored password hash, for the login check only. */
export interface AdminCredentials extends AdminUser {
  passwordHash: string;
}

export interface NewAdminUser {
  email: string;
  /** Already hashed by the caller (`scrypt$…`): a directory never sees a password. */
  passwordHash: string;
}

/** A signed-in browser. Only the SHA-256 of the cookie's token is kept. */
export interface AdminSession {
  tokenHash: string;
  userId: string;
  /** Echoed by every form of the session and checked on every POST. */
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end, whatever the activity. */
  expiresAt: number;
}

export interface ActiveSession {
  session: AdminSession;
  user: AdminUser;
}

export class AdminEmailTakenError extends DomainError {
  constructor() {
    super('admin_email_taken', 'an admin user with this e-mail address already exists', false);
  }
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A deliberately loose check: one `@`, no spaces, a dot in the domain, at most 254 characters. */
export const isPlausibleEmail = (email: string): boolean => email.length <= 254 && EMAIL.test(email);
