import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from '../../observability/logger.js';
import { renderMessage } from './render.js';

/**
 * A strict CSP (own scripts and styles only, no inline code) and the usual hardening headers.
 * The referrer policy is `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends
 * `Origin: null` even on same-origin form posts, which the origin check would refuse.
 */
export const adminSecureHeaders = (): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
  });

/** Pages may hold transcripts and secrets: never store them (assets override this). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests a browser marks as coming from another site or origin
 * (`Sec-Fetch-Site`) or whose `Origin` is not this host: 403 before any session or form work.
 */
export function sameOriginWrites(logger: Logger, base: string): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const fetchSite = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const crossSite = fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
    if (crossSite || (origin !== undefined && hostOf(origin) !== host)) {
      logger.warn('admin request rejected: cross-origin write', { path: c.req.path, fetchSite, originHost: origin === undefined ? undefined : hostOf(origin) });
      return renderMessage(c, 403, 'Request refused', 'This request came from another site. Use the forms of this dashboard; nothing was changed.', base);
    }
    return next();
  };
}

function hostOf(origin: string): string | null {
  try {
    return origin === 'null' ? null : new URL(origin).host;
  } catch {
    return null;
  }
}
