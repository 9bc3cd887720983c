import { randomUUID } from 'node:crypto';
import { AdminEmailTakenError, normalizeEmail, type ActiveSession, type AdminCredentials, type AdminSession, type AdminUser, type NewAdminUser } from '../../domain/model/admin.js';
import { LOGIN_ATTEMPT_RETENTION_MS, type AdminDirectory } from '../../domain/ports/admin-directory.js';

/** Admin users, sessions and login attempts in process memory; every read returns a copy. */
export class InMemoryAdminDirectory implements AdminDirectory {
  private readonly users = new Map<string, AdminCredentials>();
  private readonly sessions = new Map<string, AdminSession>();
  private readonly attempts: { subject: string; succeeded: boolean; at: number }[] = [];

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

  async recordLoginAttempt(subject: string, succeeded: boolean, now: number): Promise<void> {
    const kept = this.attempts.filter((a) => a.at >= now - LOGIN_ATTEMPT_RETENTION_MS);
    this.attempts.splice(0, this.attempts.length, ...kept, { subject, succeeded, at: now });
  }

  async countFailedAttempts(subject: string, since: number): Promise<number> {
    return this.attempts.filter((a) => a.subject === subject && !a.succeeded && a.at >= since).length;
  }
}

const publicOf = ({ id, email, createdAt, lastLoginAt }: AdminUser): AdminUser => ({ id, email, createdAt, lastLoginAt });
