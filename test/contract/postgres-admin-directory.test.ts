import { expect, it } from 'vitest';
import { PostgresAdminDirectory } from '../../src/adapters/postgres/postgres-admin-directory.js';
import { onEachDatabase } from '../support/databases.js';
import { adminDirectoryContract } from './admin-directory.contract.js';

onEachDatabase((database) => {
  adminDirectoryContract('PostgresAdminDirectory', async () => new PostgresAdminDirectory(database().orm));

  it('stores sessions by token hash only and e-mails lower-cased', async () => {
    const directory = new PostgresAdminDirectory(database().orm);
    const user = await directory.createUser({ email: 'Stored.Case@Example.org', passwordHash: 'scrypt$x' }, 0);
    await directory.createSession({ tokenHash: 'f'.repeat(64), userId: user.id, csrfToken: 'c', createdAt: 0, lastSeenAt: 0, expiresAt: 1 });
    const rows = await database().orm.em.fork().getConnection().execute<{ id: string; email: string }[]>(
      'select s.id, u.email from admin_session s join admin_user u on u.id = s.user_id where u.id = ?',
      [user.id],
    );
    expect(rows).toEqual([{ id: 'f'.repeat(64), email: 'stored.case@example.org' }]);
  });
});
