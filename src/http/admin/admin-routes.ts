import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DomainError } from '../../domain/model/errors.js';
import { errorFields } from '../../observability/logger.js';
import { assetRoutes } from './asset-routes.js';
import { channelRoutes } from './channel-routes.js';
import { conversationRoutes } from './conversation-routes.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { DEFAULT_BASE_PATH, type AdminDeps, type AdminEnv } from './deps.js';
import { keyRoutes } from './key-routes.js';
import { loginRoutes } from './login-routes.js';
import { renderMessage } from './render.js';
import { noStore } from '../no-store.js';
import { adminSecureHeaders, sameOriginWrites } from './security.js';
import { userRoutes } from './user-routes.js';

export type { AdminDeps } from './deps.js';

const MAX_FORM_BYTES = 256 * 1024;

/**
 * The admin dashboard, with paths relative to where it is mounted: `app.route('/admin', adminRoutes(deps))`
 * (set `deps.basePath` when mounting elsewhere). Every response carries the CSP and hardening
 * headers and `Cache-Control: no-store` (assets excepted); every write must come from this origin.
 */
export function adminRoutes(deps: AdminDeps): Hono {
  const base = deps.basePath ?? DEFAULT_BASE_PATH;
  const app = new Hono<AdminEnv>();
  app.use('*', adminSecureHeaders(), noStore());
  app.use('*', sameOriginWrites(deps.logger, base));
  app.use('*', bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => renderMessage(c, 413, 'Too large', 'This form is larger than 256 KB; nothing was saved.', base) }));
  app.onError((error, c) => {
    if (error instanceof DomainError && error.code === 'validation_failed') return renderMessage(c, 400, 'Invalid request', error.message, base);
    deps.logger.error('admin page failed', { path: c.req.path, ...errorFields(error) });
    return renderMessage(c, 500, 'Something went wrong', 'The page could not be shown. Try again in a moment.', base);
  });
  app.route('/', assetRoutes());
  for (const group of [loginRoutes(deps), dashboardRoutes(deps), conversationRoutes(deps), channelRoutes(deps), keyRoutes(deps), deadLetterRoutes(deps), userRoutes(deps)]) app.route('/', group);
  return app as unknown as Hono;
}
