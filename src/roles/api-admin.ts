import { Hono } from 'hono';
import { TOKENS } from '../composition/tokens.js';
import type { Wiring } from '../composition/wiring.js';
import type { Config } from '../config/config.js';
import { AdminEmailTakenError } from '../domain/model/admin.js';
import type { AdminDirectory } from '../domain/ports/admin-directory.js';
import type { Clock } from '../domain/ports/clock.js';
import { setAdminPassword } from '../http/admin/admin-password.js';
import { adminRoutes } from '../http/admin/admin-routes.js';
import { hashPassword } from '../http/admin/passwords.js';
import type { RequestScope } from '../http/api/api-routes.js';
import type { Logger } from '../observability/logger.js';

/** The dashboard at /admin, each request in a unit of work of its own like the JSON API. */
export function adminGroup(wiring: Wiring, scope: RequestScope | undefined): Hono {
  const group = new Hono();
  // '/admin/*' covers '/admin' itself as well: one RequestContext per request.
  if (scope) group.use('/admin/*', (_c, next) => scope(() => next()));
  group.get('/admin/', (c) => c.redirect('/admin', 301));
  group.route(
    '/admin',
    adminRoutes({
      directory: wiring.get(TOKENS.AdminDirectory),
      apiKeys: wiring.get(TOKENS.ApiKeyStore),
      queryAnalytics: wiring.get(TOKENS.QueryAnalytics),
      getTranscript: wiring.get(TOKENS.GetTranscript),
      channels: wiring.get(TOKENS.ChatStore),
      deadLetters: { list: wiring.get(TOKENS.ListDeadLetters), replay: wiring.get(TOKENS.ReplayDeadLetter) },
      handoff: { change: wiring.get(TOKENS.ChangeHandoff), reply: wiring.get(TOKENS.AcceptAgentReply), queue: wiring.get(TOKENS.ChatStore) },
      clock: wiring.get(TOKENS.Clock),
      logger: wiring.get(TOKENS.Logger),
    }),
  );
  return group;
}

/**
 * ADMIN_EMAIL/ADMIN_PASSWORD: the first admin user, created once (a racing instance's copy is
 * fine); when the user exists and ADMIN_PASSWORD changed, the stored password follows it.
 */
export async function ensureFirstAdmin(config: Config, directory: AdminDirectory, clock: Clock, logger: Logger): Promise<void> {
  if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return;
  const change = await setAdminPassword(directory, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  if (change === 'changed') logger.warn('admin password changed from ADMIN_PASSWORD: every session of that user ended');
  if (change !== 'no-such-user') return;
  try {
    await directory.createUser({ email: config.ADMIN_EMAIL, passwordHash: await hashPassword(config.ADMIN_PASSWORD) }, clock.now());
    logger.info('first admin user created from ADMIN_EMAIL');
  } catch (error) {
    if (!(error instanceof AdminEmailTakenError)) throw error;
  }
}
