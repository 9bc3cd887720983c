import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DEFAULT_BASE_PATH, type AdminDeps, type AdminEnv } from './deps.js';
import { formOf, pick, text } from './form.js';
import { defaultClientAddress, loginSubjects } from './login-limit.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { render } from './render.js';
import { clearCookie, cookieNames, hashToken, newToken, sameSecret, sessionToken, setSecretCookie, signedIn, startSession, SESSION_IDLE_MS } from './session.js';
import { LoginPage } from './views/login-page.js';

const LOGIN_FORM_TTL_MS = 3600_000;

const waitText = (seconds: number) => (seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`);

/** Sign-in (double-submit token against login CSRF, rate limit, constant-cost check) and sign-out. */
export function loginRoutes(deps: AdminDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const base = deps.basePath ?? DEFAULT_BASE_PATH;
  const names = cookieNames(deps.secureCookies !== false);
  const clientAddress = deps.clientAddress ?? defaultClientAddress;
  let decoy: Promise<string> | undefined;

  /** The sign-in form with a fresh form token in a cookie and in the form. */
  const loginPage = (c: Context, status: ContentfulStatusCode, props: { email?: string; error?: string } = {}) => {
    const csrf = newToken();
    setSecretCookie(c, deps, names.login, csrf, LOGIN_FORM_TTL_MS);
    return render(c, <LoginPage base={base} csrf={csrf} {...props} />, status);
  };

  app.get('/login', async (c) => {
    const token = sessionToken(c, deps);
    if (token && (await deps.directory.touchSession(hashToken(token), deps.clock.now(), SESSION_IDLE_MS))) return c.redirect(base, 303);
    return loginPage(c, 200);
  });

  app.post('/login', async (c) => {
    const form = await formOf(c);
    const expected = getCookie(c, names.login);
    if (!expected || !sameSecret(text(form, '_csrf'), expected)) {
      deps.logger.warn('admin sign-in rejected: missing or wrong form token', { path: c.req.path });
      return loginPage(c, 403, { error: 'This sign-in form expired or was not sent from this page. Please sign in again.' });
    }
    const { email, password } = pick(form, ['email', 'password']);
    if (!email.trim() || !password || email.length > 254 || password.length > 1024) {
      return loginPage(c, 400, { email, error: 'Enter your e-mail address and your password.' });
    }
    const now = deps.clock.now();
    const subjects = loginSubjects(email, clientAddress(c) ?? 'unknown');
    // Reserved before the password is checked: a burst of parallel guesses cannot all get through.
    const reservation = await deps.directory.reserveLoginAttempt(subjects.keys, now);
    if (!reservation.granted) {
      const seconds = Math.max(1, Math.ceil(reservation.retryAfterMs / 1000));
      deps.logger.warn('admin sign-in delayed: too many failures', { retryAfterSeconds: seconds });
      c.header('Retry-After', String(seconds));
      return loginPage(c, 429, { email, error: `Too many failed sign-ins for this account or from this network. Try again in ${waitText(seconds)}.` });
    }
    const user = await deps.directory.findByEmail(email);
    decoy ??= decoyHash();
    const valid = await verifyPassword(password, user?.passwordHash ?? (await decoy));
    if (!user || !valid) {
      deps.logger.info('admin sign-in failed', { reason: user ? 'wrong-password' : 'unknown-user' });
      return loginPage(c, 401, { email, error: 'The e-mail address or the password is wrong.' });
    }
    await deps.directory.clearLoginFailures(subjects.clearedOnSuccess);
    await deps.directory.recordLogin(user.id, now);
    if (needsRehash(user.passwordHash)) {
      // The only moment the password is at hand: legacy scrypt (or older costs) becomes argon2id.
      await deps.directory.setPasswordHash(user.id, await hashPassword(password));
      deps.logger.info('admin password rehashed with argon2id', { userId: user.id });
    }
    await startSession(c, deps, user);
    clearCookie(c, deps, names.login);
    deps.logger.info('admin signed in', { userId: user.id });
    return c.redirect(base, 303);
  });

  app.post('/logout', signedIn(deps), async (c) => {
    await deps.directory.deleteSession(c.get('admin').session.tokenHash);
    clearCookie(c, deps, names.session);
    deps.logger.info('admin signed out', { userId: c.get('admin').user.id });
    return c.redirect(`${base}/login`, 303);
  });

  return app;
}
