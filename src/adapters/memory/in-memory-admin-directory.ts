import { randomUUID } from 'node:crypto';
import { AdminEmailTakenError, normalizeEmail, type ActiveSession, type AdminCredentials, type AdminSession, type AdminUser, type NewAdminUser } from '../../domain/model/admin.js';
import { reserve, type LoginReservation, type ThrottleKey, type ThrottleState } from '../../domain/model/login-throttle.js';
import type { AdminDirectory } from '../../domain/ports/admin-directory.js';
import { LOGIN_ATTEMPT_RETENTION_MS } from '../../domain/ports/login-attempts.js';

/** Admin users, sessions and sign-in throttles in process memory; every read returns a copy. */
export class InMemoryAdminDirectory implements AdminDirectory {
  private readonly users = new Map<string, AdminCredentials>();
  private readonly sessions = new Map<string, AdminSession>();
  private readonly throttles = new Map<string, ThrottleState>();

  async createUser(user: NewAdminUser, now: number): Promise<AdminUser> {
    const email = normalizeEmail(user.email);
    if ([...this.users.values()].some((u) => u.email === email)) throw new AdminEmailTakenError();
    const created: AdminCredentials = { id: randomUUID(), email, passwordHash: user.passwordHash, createdAt: now, lastLoginAt: null };
    this.users.set(created.id, created);
    return publicOf(created);
  }

  async findByEmail(email: string): Promise<AdminCredentials | null> {
    const wanted = normalizeEmail(email);
    const found = [...this.users.values()].find((u) => u.email === wanted);
    return found ? { ...found } : null;
  }

  async listUsers(): Promise<AdminUser[]> {
    return [...this.users.values()].map(publicOf).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  }

  async deleteUser(id: string): Promise<boolean> {
    if (!this.users.delete(id)) return false;
    await this.deleteSessionsOf(id);
    return true;
  }

  async recordLogin(userId: string, now: number): Promise<void> {
    const user = this.users.get(userId);
    if (user) user.lastLoginAt = now;
  }

  async createSession(session: AdminSession): Promise<void> {
    if (this.sessions.has(session.tokenHash)) throw new Error('session token hash already exists');
    this.sessions.set(session.tokenHash, { ...session });
  }

  async touchSession(tokenHash: string, now: number, idleTimeoutMs: number): Promise<ActiveSession | null> {
    const session = this.sessions.get(tokenHash);
    if (!session) return null;
    const user = this.users.get(session.userId);
    if (!user || now >= session.expiresAt || now - session.lastSeenAt >= idleTimeoutMs) {
      this.sessions.delete(tokenHash);
      return null;
    }
    session.lastSeenAt = now;
    return { session: { ...session }, user: publicOf(user) };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.sessions.delete(tokenHash);
  }

  async deleteSessionsOf(userId: string): Promise<number> {
    let ended = 0;
    for (const [hash, session] of this.sessions) {
      if (session.userId !== userId) continue;
      this.sessions.delete(hash);
      ended += 1;
    }
    return ended;
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
    const user = this.users.get(userId);
    if (!user) return false;
    user.passwordHash = passwordHash;
    return true;
  }

  // No await between reading and writing the states: one reservation is one atomic step.
  async reserveLoginAttempt(keys: readonly ThrottleKey[], now: number): Promise<LoginReservation> {
    for (const [subject, state] of this.throttles) if (state.updatedAt < now - LOGIN_ATTEMPT_RETENTION_MS) this.throttles.delete(subject);
    const { reservation, next } = reserve(keys, this.throttles, now);
    for (const [subject, state] of next) this.throttles.set(subject, state);
    return reservation;
  }

  async clearLoginFailures(subjects: readonly string[]): Promise<void> {
    for (const subject of subjects) this.throttles.delete(subject);
  }
}

const publicOf = ({ id, email, createdAt, lastLoginAt }: AdminUser): AdminUser => ({ id, email, createdAt, lastLoginAt });
