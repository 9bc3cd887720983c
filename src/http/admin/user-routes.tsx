import { Hono, type Context } from 'hono';
import { AdminEmailTakenError, isPlausibleEmail, normalizeEmail } from '../../domain/model/admin.js';
import type { AdminDeps, AdminEnv } from './deps.js';
import { formOf, pick } from './form.js';
import { noticeOf } from './format.js';
import { hashPassword } from './passwords.js';
import { render, renderMessage } from './render.js';
import { signedIn } from './session.js';
import { UsersPage } from './views/users-page.js';

export const MIN_PASSWORD_LENGTH = 12;

/** Admin users: list, add, delete others (never oneself, so there is always someone left). */
export function userRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const guard = signedIn(deps);

  const usersPage = async (c: Context<AdminEnv>, status: 200 | 400 | 409, props: { email?: string; errors?: Record<string, string | undefined>; notice?: string | undefined } = {}) =>
    render(c, <UsersPage page={c.get('page')} users={await deps.directory.listUsers()} selfId={c.get('admin').user.id} {...props} />, status);

  app.get('/users', guard, (c) => usersPage(c, 200, { notice: noticeOf(c.req.query('done')) }));

  app.post('/users', guard, async (c) => {
    const { email: rawEmail, password } = pick(await formOf(c), ['email', 'password']);
    const email = normalizeEmail(rawEmail);
    const errors = {
      email: isPlausibleEmail(email) ? undefined : 'must be an e-mail address',
      password: password.length < MIN_PASSWORD_LENGTH || password.length > 1024 ? `must be ${MIN_PASSWORD_LENGTH} to 1024 characters` : undefined,
    };
    if (errors.email || errors.password) return usersPage(c, 400, { email, errors });
    try {
      const user = await deps.directory.createUser({ email, passwordHash: await hashPassword(password) }, deps.clock.now());
      deps.logger.info('admin created a user', { newUserId: user.id, userId: c.get('admin').user.id });
    } catch (error) {
      if (!(error instanceof AdminEmailTakenError)) throw error;
      return usersPage(c, 409, { email, errors: { email: 'a user with this e-mail address already exists' } });
    }
    return c.redirect(`${c.get('page').base}/users?done=user-created`, 303);
  });

  app.post('/users/:id/delete', guard, async (c) => {
    const id = c.req.param('id');
    const base = c.get('page').base;
    if (id === c.get('admin').user.id) return renderMessage(c, 400, 'Not deleted', 'You cannot delete your own user; ask another admin to do it.', base);
    if (!(await deps.directory.deleteUser(id))) return renderMessage(c, 404, 'No such user', 'This user does not exist; nothing was changed.', base);
    deps.logger.info('admin deleted a user', { deletedUserId: id, userId: c.get('admin').user.id });
    return c.redirect(`${base}/users?done=user-deleted`, 303);
  });

  return app;
}
