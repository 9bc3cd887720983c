import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach } from 'vitest';
import type { AdminSession } from '../../src/domain/model/admin.js';
import type { AdminDirectory } from '../../src/domain/ports/admin-directory.js';

export const MINUTE = 60_000;
export const IDLE = 30 * MINUTE;
export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export type MakeAdminDirectory = () => Promise<AdminDirectory>;

/** A fresh directory before each test of the calling suite; read it through the getter. */
export function freshDirectory(make: MakeAdminDirectory): () => AdminDirectory {
  let directory: AdminDirectory | undefined;
  beforeEach(async () => {
    directory = await make();
  });
  return () => directory!;
}

/** Users and sessions of a test's own: each test makes its own e-mails and tokens. */
export function adminBuilders(current: () => AdminDirectory) {
  const anEmail = () => `admin-${randomUUID()}@example.org`;
  const aUser = (email = anEmail()) => current().createUser({ email, passwordHash: `scrypt$test$${randomUUID()}` }, T0);
  const aSession = (userId: string, overrides: Partial<AdminSession> = {}): AdminSession => ({
    tokenHash: randomBytes(32).toString('hex'),
    userId,
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + 12 * 60 * MINUTE,
    ...overrides,
  });
  return { anEmail, aUser, aSession };
}
