import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AdminUser } from '../../domain/model/admin.js';
import { DEFAULT_BASE_PATH, type AdminDeps, type AdminEnv } from './deps.js';
import { formOf, text } from './form.js';
import { renderMessage } from './render.js';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 3600_000;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const cookieNames = (secure: boolean) =>
  secure ? { session: '__Host-vocoeng_session', login: '__Host-vocoeng_login' } : { session: 'vocoeng_session', login: 'vocoeng_login' };

/** 32 random bytes, base64url (43 characters). */
export const newToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  // Digests first: timingSafeEqual needs equal lengths, and the length must not leak either.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function setSecretCookie(c: Context, deps: AdminDeps, name: string, value: string, maxAgeMs: number): void {
  const secure = deps.secureCookies !== false;
  setCookie(c, name, value, { httpOnly: true, secure, sameSite: 'Strict', path: '/', maxAge: Math.floor(maxAgeMs / 1000) });
}

export function clearCookie(c: Context, deps: AdminDeps, name: string): void {
  deleteCookie(c, name, { path: '/', secure: deps.secureCookies !== false });
}

/** A new session for the user (never a reused token: no fixation), its cookie set. */
export async function startSession(c: Context, deps: AdminDeps, user: AdminUser): Promise<void> {
  const token = newToken();
  const now = deps.clock.now();
  await deps.directory.createSession({ tokenHash: hashToken(token), userId: user.id, csrfToken: newToken(), createdAt: now, lastSeenAt: now, expiresAt: now + SESSION_MAX_MS });
  setSecretCookie(c, deps, cookieNames(deps.secureCookies !== false).session, token, SESSION_MAX_MS);
}

export function sessionToken(c: Context, deps: AdminDeps): string | undefined {
  const token = getCookie(c, cookieNames(deps.secureCookies !== false).session);
  return token && TOKEN_SHAPE.test(token) ? token : undefined;
}

/**
 * Lets a request through only with a live session (else to the sign-in page), and a POST only
 * with the session's CSRF token in its `_csrf` field (else 403, nothing done).
 */
export function signedIn(deps: AdminDeps): MiddlewareHandler<AdminEnv> {
  const base = deps.basePath ?? DEFAULT_BASE_PATH;
  const cookie = cookieNames(deps.secureCookies !== false).session;
  return async (c, next) => {
    const token = sessionToken(c, deps);
    const active = token ? await deps.directory.touchSession(hashToken(token), deps.clock.now(), SESSION_IDLE_MS) : null;
    if (!active) {
      if (getCookie(c, cookie) !== undefined) clearCookie(c, deps, cookie);
      return c.redirect(`${base}/login`, 303);
    }
    if (c.req.method === 'POST' && !sameSecret(text(await formOf(c), '_csrf'), active.session.csrfToken)) {
      deps.logger.warn('admin form rejected: missing or wrong CSRF token', { path: c.req.path, userId: active.user.id });
      return renderMessage(c, 403, 'Form rejected', 'This form was not sent by a page of this session (its security token is missing or out of date). Reload the page and try again; nothing was changed.', base);
    }
    c.set('admin', active);
    c.set('page', { base, email: active.user.email, csrf: active.session.csrfToken });
    await next();
  };
}
