import type { Context } from 'hono';
import type { ActiveSession } from '../../domain/model/admin.js';
import type { AdminDirectory } from '../../domain/ports/admin-directory.js';
import type { ApiKeyStore } from '../../domain/ports/api-key-store.js';
import type { ChannelSettingsStore } from '../../domain/ports/channel-settings-store.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { GetTranscript } from '../../domain/use-cases/get-transcript.js';
import type { ListDeadLetters } from '../../domain/use-cases/list-dead-letters.js';
import type { ReplayDeadLetter } from '../../domain/use-cases/replay-dead-letter.js';
import type { QueryAnalytics } from '../../domain/use-cases/query-analytics.js';
import type { Logger } from '../../observability/logger.js';
import type { HandoffDeps } from '../api/handoff-routes.js';

export interface AdminDeps {
  directory: AdminDirectory;
  apiKeys: ApiKeyStore;
  queryAnalytics: QueryAnalytics;
  getTranscript: GetTranscript;
  channels: ChannelSettingsStore;
  deadLetters: { list: ListDeadLetters; replay: ReplayDeadLetter };
  /** Take over / hand back, agent replies and the "needs a human" queue. */
  handoff: HandoffDeps;
  clock: Clock;
  logger: Logger;
  /**
   * `__Host-` cookies with `Secure` (the default). False drops both, for plain-http hosts other
   * than loopback (Chromium accepts Secure cookies from http://127.0.0.1 and localhost).
   */
  secureCookies?: boolean;
  /** Where the routes are mounted, for links and redirects (default `/admin`). */
  basePath?: string;
  /**
   * The client's address for the sign-in rate limit. Default: the last `X-Forwarded-For` entry
   * (the one Cloud Run's front end appended), else the socket's peer.
   */
  clientAddress?: (c: Context) => string | undefined;
}

/** What every signed-in page knows. */
export interface PageContext {
  base: string;
  email: string;
  csrf: string;
}

export type AdminEnv = { Variables: { admin: ActiveSession; page: PageContext } };

export const DEFAULT_BASE_PATH = '/admin';
