import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { normalizeEmail } from '../../domain/model/admin.js';
import type { AdminDirectory } from '../../domain/ports/admin-directory.js';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_LOGIN_FAILURES = 5;

const digest = (kind: string, value: string) => createHash('sha256').update(`admin-login\u0000${kind}\u0000${value}`, 'utf8').digest('hex');

/** The hashed e-mail and client address a sign-in attempt counts against (never stored raw). */
export const loginSubjects = (email: string, address: string): string[] => [digest('email', normalizeEmail(email)), digest('address', address)];

/** True when either subject failed `MAX_LOGIN_FAILURES` times within the window. */
export async function loginLimited(directory: AdminDirectory, subjects: string[], now: number): Promise<boolean> {
  const counts = await Promise.all(subjects.map((subject) => directory.countFailedAttempts(subject, now - LOGIN_WINDOW_MS)));
  return counts.some((count) => count >= MAX_LOGIN_FAILURES);
}

export async function recordLoginAttempt(directory: AdminDirectory, subjects: string[], succeeded: boolean, now: number): Promise<void> {
  await Promise.all(subjects.map((subject) => directory.recordLoginAttempt(subject, succeeded, now)));
}

/** The last `X-Forwarded-For` entry (appended by Cloud Run's front end), else the socket's peer. */
export function defaultClientAddress(c: Context): string | undefined {
  const forwarded = c.req.header('x-forwarded-for')?.split(',').map((part) => part.trim()).filter(Boolean).at(-1);
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // not served by @hono/node-server (in-process requests in tests)
  }
}
