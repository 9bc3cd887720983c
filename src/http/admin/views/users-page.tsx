import type { AdminUser } from '../../../domain/model/admin.js';
import type { PageContext } from '../deps.js';
import { formatTime } from '../format.js';
import { CsrfField, DangerAction, Field, FormErrors, Notice } from './form-parts.js';
import { Layout } from './layout.js';

interface UsersPageProps {
  page: PageContext;
  users: AdminUser[];
  selfId: string;
  email?: string;
  errors?: Record<string, string | undefined>;
  notice?: string | undefined;
}

export function UsersPage({ page, users, selfId, email = '', errors = {}, notice }: UsersPageProps) {
  return (
    <Layout title="Users" base={page.base} page={page} current="/users">
      <h1>Users</h1>
      <Notice text={notice} />
      <div class="table-wrap card">
        <table>
          <thead>
            <tr>
              <th>E-mail</th>
              <th>Created</th>
              <th>Last sign-in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr data-user={user.email}>
                <td>{user.email}</td>
                <td>{formatTime(user.createdAt)}</td>
                <td>{formatTime(user.lastLoginAt)}</td>
                <td>
                  {user.id === selfId ? (
                    <span class="muted">you</span>
                  ) : (
                    <DangerAction
                      action={`${page.base}/users/${encodeURIComponent(user.id)}/delete`}
                      confirm={`Delete ${user.email}? Their sessions end at once.`}
                      csrf={page.csrf}
                      label="Delete"
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card">
        <h2>Add a user</h2>
        <FormErrors errors={errors} />
        <form method="post" action={`${page.base}/users`}>
          <CsrfField token={page.csrf} />
          <Field label="E-mail" name="email" type="email" value={email} error={errors.email} required autocomplete="off" />
          <Field label="Password" name="password" type="password" error={errors.password} required autocomplete="new-password" hint="At least 12 characters." />
          <button type="submit">Add user</button>
        </form>
      </section>
    </Layout>
  );
}
