import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/adapters/postgres/database.js';
import { PostgresAdminDirectory } from '../../src/adapters/postgres/postgres-admin-directory.js';
import { runCli } from '../../src/cli/run-cli.js';
import { hashPassword, verifyPassword } from '../../src/http/admin/passwords.js';
import { aFreshDatabase } from '../support/databases.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
}

const OLD = 'the leaked admin password';

describe('vocoeng CLI: admin set-password', () => {
  let db: Database & { url?: string };
  let env: Record<string, string>;
  let directory: PostgresAdminDirectory;
  beforeAll(async () => {
    db = await aFreshDatabase('postgres');
    env = { DATABASE_URL: db.url! };
    directory = new PostgresAdminDirectory(db.orm);
  });
  afterAll(() => db.close());

  async function anAdmin() {
    const email = `admin-${randomUUID()}@example.org`;
    const user = await directory.createUser({ email, passwordHash: await hashPassword(OLD) }, Date.now());
    const session = { tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'), userId: user.id, csrfToken: 'c', createdAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Date.now() + 3600_000 };
    await directory.createSession(session);
    return { email, session };
  }
  const passwordOf = async (email: string) => (await directory.findByEmail(email))!.passwordHash;

  it('sets the password read from the first line of stdin, ends the sessions and prints no password', async () => {
    const { email, session } = await anAdmin();
    const fresh = 'a fresh password from stdin';
    const run = io();

    expect(await runCli(['admin', 'set-password', '--email', email, '--password-stdin'], env, run.io, async () => `${fresh}\nignored second line\n`)).toBe(0);

    expect(await verifyPassword(fresh, await passwordOf(email))).toBe(true);
    expect(await verifyPassword(OLD, await passwordOf(email))).toBe(false);
    expect(await directory.touchSession(session.tokenHash, Date.now(), 3600_000)).toBeNull();
    expect(run.out.join('\n')).toContain('changed');
    expect([...run.out, ...run.err].join('\n')).not.toContain(fresh);
  });

  it('takes the password from ADMIN_PASSWORD without --password-stdin', async () => {
    const { email } = await anAdmin();
    const fresh = 'a fresh password from the environment';

    expect(await runCli(['admin', 'set-password', '--email', email.toUpperCase()], { ...env, ADMIN_PASSWORD: fresh }, io().io)).toBe(0);

    expect(await verifyPassword(fresh, await passwordOf(email))).toBe(true);
  });

  it.each([
    ['a password on the command line', (email: string) => ['admin', 'set-password', '--email', email, '--password', 'argv password 12345'], {}],
    ['a short password', (email: string) => ['admin', 'set-password', '--email', email], { ADMIN_PASSWORD: 'short' }],
    ['no password at all', (email: string) => ['admin', 'set-password', '--email', email], {}],
    ['an unknown e-mail', () => ['admin', 'set-password', '--email', 'nobody@example.org'], { ADMIN_PASSWORD: 'long enough password' }],
  ])('exits 2 and changes nothing when given %s', async (_, argv, extra) => {
    const { email } = await anAdmin();
    const before = await passwordOf(email);
    const run = io();

    expect(await runCli(argv(email), { ...env, ...extra }, run.io)).toBe(2);

    expect(await passwordOf(email)).toBe(before);
    expect(run.err.join('\n')).not.toContain('argv password');
  });
});
