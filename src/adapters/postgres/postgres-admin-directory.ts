import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/postgresql';
import { AdminEmailTakenError, normalizeEmail, type ActiveSession, type AdminCredentials, type AdminSession, type AdminUser, type NewAdminUser } from '../../domain/model/admin.js';
import type { AdminDirectory } from '../../domain/ports/admin-directory.js';
import { LOGIN_ATTEMPT_RETENTION_MS } from '../../domain/ports/login-attempts.js';
import { entityManager } from './database.js';
import { AdminSession as SessionRow, AdminUser as UserRow } from './entities.js';
import { reserve, type LoginReservation, type ThrottleKey } from '../../domain/model/login-throttle.js';

interface ThrottleRow {
  subject: string;
  failures: number;
  blocked_until: Date | string;
  updated_at: Date | string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Admin users, sessions and sign-in throttles in PostgreSQL. Session touches are one conditional
 * UPDATE, so two requests of one session never revive it after it expired; a sign-in reservation
 * locks its subjects' rows, so parallel attempts are counted one after the other.
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

  async setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
    if (!UUID.test(userId)) return false;
    return (await entityManager(this.orm).nativeUpdate(UserRow, { id: userId }, { passwordHash })) > 0;
  }

  async reserveLoginAttempt(keys: readonly ThrottleKey[], now: number): Promise<LoginReservation> {
    const subjects = [...new Set(keys.map((k) => k.subject))].sort();
    if (subjects.length === 0) return { granted: true };
    return entityManager(this.orm).transactional(async (em) => {
      const run = (sql: string, params: unknown[]) => em.getConnection().execute(sql, params, 'all', em.getTransactionContext());
      await run('delete from login_throttle where updated_at < ?', [new Date(now - LOGIN_ATTEMPT_RETENTION_MS)]);
      // Rows exist before they are locked, so two first attempts of a subject serialise too.
      const marks = subjects.map(() => '(?, 0, ?, ?)').join(', ');
      await run(`insert into login_throttle (subject, failures, blocked_until, updated_at) values ${marks} on conflict (subject) do nothing`, subjects.flatMap((s) => [s, new Date(0), new Date(0)]));
      // Locked in subject order: two reservations over the same subjects cannot deadlock.
      const rows = (await run(`select subject, failures, blocked_until, updated_at from login_throttle where subject in (${subjects.map(() => '?').join(', ')}) order by subject for update`, subjects)) as unknown as ThrottleRow[];
      const states = new Map(rows.map((row) => [row.subject, { failures: row.failures, blockedUntil: new Date(row.blocked_until).getTime(), updatedAt: new Date(row.updated_at).getTime() }]));
      const { reservation, next } = reserve(keys, states, now);
      for (const [subject, state] of next) {
        await run('update login_throttle set failures = ?, blocked_until = ?, updated_at = ? where subject = ?', [state.failures, new Date(state.blockedUntil), new Date(state.updatedAt), subject]);
      }
      return reservation;
    });
  }

  async clearLoginFailures(subjects: readonly string[]): Promise<void> {
    if (subjects.length === 0) return;
    await entityManager(this.orm).getConnection().execute(`delete from login_throttle where subject in (${subjects.map(() => '?').join(', ')})`, [...subjects], 'run');
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
