import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/postgresql';
import { AdminEmailTakenError, normalizeEmail, type ActiveSession, type AdminCredentials, type AdminSession, type AdminUser, type NewAdminUser } from '../../domain/model/admin.js';
import { LOGIN_ATTEMPT_RETENTION_MS, type AdminDirectory } from '../../domain/ports/admin-directory.js';
import { entityManager } from './database.js';
import { AdminSession as SessionRow, AdminUser as UserRow, LoginAttempt } from './entities.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Admin users, sessions and login attempts in PostgreSQL. Session touches are one conditional
 * UPDATE, so two requests of one session never revive it after it expired.
 */
export class PostgresAdminDirectory implements AdminDirectory {
  constructor(private readonly orm: MikroORM) {}

  async createUser(user: NewAdminUser, now: number): Promise<AdminUser> {
    const em = entityManager(this.orm);
    const row = { id: randomUUID(), email: normalizeEmail(user.email), passwordHash: user.passwordHash, createdAt: new Date(now), lastLoginAt: null };
    try {
      await em.insert(UserRow, row);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new AdminEmailTakenError();
      throw error;
    }
    return userOf(row);
  }

  async findByEmail(email: string): Promise<AdminCredentials | null> {
    const row = await entityManager(this.orm).findOne(UserRow, { email: normalizeEmail(email) }, { disableIdentityMap: true });
    return row ? { ...userOf(row), passwordHash: row.passwordHash } : null;
  }

  async listUsers(): Promise<AdminUser[]> {
    const rows = await entityManager(this.orm).find(UserRow, {}, { orderBy: { email: 'asc' }, disableIdentityMap: true });
    return rows.map(userOf);
  }

  async deleteUser(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    // admin_session.user_id cascades.
    return (await entityManager(this.orm).nativeDelete(UserRow, { id })) > 0;
  }

  async recordLogin(userId: string, now: number): Promise<void> {
    if (!UUID.test(userId)) return;
    await entityManager(this.orm).nativeUpdate(UserRow, { id: userId }, { lastLoginAt: new Date(now) });
  }

  async createSession(session: AdminSession): Promise<void> {
    await entityManager(this.orm).insert(SessionRow, {
      id: session.tokenHash,
      userId: session.userId,
      csrfToken: session.csrfToken,
      createdAt: new Date(session.createdAt),
      lastSeenAt: new Date(session.lastSeenAt),
      expiresAt: new Date(session.expiresAt),
    });
  }

  async touchSession(tokenHash: string, now: number, idleTimeoutMs: number): Promise<ActiveSession | null> {
    const em = entityManager(this.orm);
    const live = { id: tokenHash, expiresAt: { $gt: new Date(now) }, lastSeenAt: { $gt: new Date(now - idleTimeoutMs) } };
    const touched = await em.nativeUpdate(SessionRow, live, { lastSeenAt: new Date(now) });
    if (touched === 0) {
      await em.nativeDelete(SessionRow, { id: tokenHash });
      return null;
    }
    const session = await em.findOne(SessionRow, { id: tokenHash }, { disableIdentityMap: true });
    const user = session && (await em.findOne(UserRow, { id: session.userId }, { disableIdentityMap: true }));
    if (!session || !user) return null;
    return { session: sessionOf(session), user: userOf(user) };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await entityManager(this.orm).nativeDelete(SessionRow, { id: tokenHash });
  }

  async deleteSessionsOf(userId: string): Promise<number> {
    if (!UUID.test(userId)) return 0;
    return entityManager(this.orm).nativeDelete(SessionRow, { userId });
  }

  async recordLoginAttempt(subject: string, succeeded: boolean, now: number): Promise<void> {
    const em = entityManager(this.orm);
    await em.nativeDelete(LoginAttempt, { at: { $lt: new Date(now - LOGIN_ATTEMPT_RETENTION_MS) } });
    await em.insert(LoginAttempt, { subject, succeeded, at: new Date(now) });
  }

  async countFailedAttempts(subject: string, since: number): Promise<number> {
    return entityManager(this.orm).count(LoginAttempt, { subject, succeeded: false, at: { $gte: new Date(since) } });
  }
}

function userOf(row: { id: string; email: string; createdAt: Date; lastLoginAt?: Date | null }): AdminUser {
  return { id: row.id, email: row.email, createdAt: row.createdAt.getTime(), lastLoginAt: row.lastLoginAt?.getTime() ?? null };
}

function sessionOf(row: SessionRow): AdminSession {
  return {
    tokenHash: row.id,
    userId: row.userId,
    csrfToken: row.csrfToken,
    createdAt: row.createdAt.getTime(),
    lastSeenAt: row.lastSeenAt.getTime(),
    expiresAt: row.expiresAt.getTime(),
  };
}
